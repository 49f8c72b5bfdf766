# isolate - build, test, demo, install.
#
#   make demo      install what is missing (apt-get), build, run the demo
#   make test      install what is missing, build, run every test suite
#   make           build only
#   make install   install under $(PREFIX) (default /usr/local)

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/isolate
LIBDIR   ?= $(PREFIX)/lib/isolate
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=

BUILD    := build
CPPFLAGS += -D_GNU_SOURCE -DISOLATE_LIBEXECDIR='"$(LIBEXECDIR)"'
CPPFLAGS += -DISOLATE_BINDIR='"$(BINDIR)"'
HARDEN   := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fstack-clash-protection
LDNOW    := -Wl,-z,now -Wl,-z,relro

# The core: linked into the CLI and both shell adapters. Hidden visibility:
# bash loads it next to its own ~2,500 exported symbols.
CORE_SRC := core/args.c core/error.c core/env.c core/policy.c core/explain.c core/run.c \
            core/child.c core/userns.c core/mounts.c core/fds.c core/tty.c core/seccomp_rules.c \
            core/paste.c core/paste_lex.c core/paste_cmd.c core/paste_fetch.c core/paste_exec.c \
            core/paste_rules.c core/paste_code.c core/paste_text.c core/limits.c core/report.c core/cgroup.c \
            core/box.c core/boxdir.c core/boxname.c core/tree.c core/resolve.c core/desktop.c \
            core/netmode.c core/nethelper.c \
            core/overlay.c core/state.c core/runstore.c core/upper.c core/diff.c core/commit.c \
            core/journal.c core/runs.c
CORE_SRC += core/hostpath.c core/fallback.c core/doctor.c core/nsahead.c
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/pic/%.o)

# The helper: static, small, no libseccomp (its filter is generated here).
# Built with musl where available: a static glibc program spends ~0.8 ms of
# every start in its own initialisation on this kind of machine, musl ~0.1 ms.
MUSL_CC  := $(shell command -v musl-gcc 2>/dev/null)
HELPER_CC := $(if $(MUSL_CC),$(MUSL_CC),$(CC))
HELPER_INC := $(if $(MUSL_CC),-I$(BUILD)/musl-include,)
HELPER_SRC := helper/isolate-init.c core/supervise.c core/pid1.c core/init.c core/net.c \
              core/caps.c core/signals.c core/seccomp.c core/tty.c core/error.c \
              core/args.c core/env.c core/limits.c core/report.c core/watchdog.c core/verdict.c \
              core/cgroup.c core/seccomp_rules.c core/netmode.c core/netready.c \
              core/boxname.c core/boxsetup.c core/tree.c core/resolve.c core/taskcount.c \
              core/state.c core/runstore.c core/upper.c core/summary.c core/nsahead.c \
              core/userns.c
HELPER_OBJ := $(HELPER_SRC:%.c=$(BUILD)/static/%.o)

BASH_INC := -I/usr/include/bash -I/usr/include/bash/include -I/usr/include/bash/builtins \
            -I/usr/lib/bash
ZSH_INC  := -I/usr/include

PROGRAMS := cli/isolate libexec/isolate-init builtin/isolate.so zsh-module/isolate.so
TEST_BIN := tests/probe tests/membomb $(patsubst %.c,%,$(wildcard tests/unit/test-*.c))
TEST_BIN += tests/swap tests/nouserns

.PHONY: all clean demo test test-unit deps deps-test install uninstall format format-check bench \
        fuzz fuzz-build asan test-asan install-apparmor

all: $(PROGRAMS) $(TEST_BIN)

$(BUILD)/pic/%.o: %.c core/isolate.h core/internal.h core/overlay.h core/seccomp_rules.h $(BUILD)/seccomp_bpf.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(HARDEN) -I$(BUILD) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/static/%.o: %.c core/isolate.h core/internal.h core/overlay.h core/seccomp_rules.h $(BUILD)/seccomp_bpf.h \
                     $(BUILD)/musl-include/.done
	@mkdir -p $(dir $@)
	$(HELPER_CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(HARDEN) -I$(BUILD) $(HELPER_INC) -c $< -o $@

# musl's include path has no kernel headers; borrow the system's.
$(BUILD)/musl-include/.done:
	@mkdir -p $(BUILD)/musl-include
	@for d in linux asm-generic; do ln -sfn /usr/include/$$d $(BUILD)/musl-include/$$d; done
	@ln -sfn /usr/include/$$(gcc -print-multiarch)/asm $(BUILD)/musl-include/asm
	@touch $@

$(filter $(BUILD)/pic/core/paste%,$(CORE_OBJ)): core/paste.h core/paste_int.h

$(BUILD)/libisolate.a: $(CORE_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/gen-seccomp: tools/gen-seccomp.c core/seccomp_rules.c core/seccomp_rules.h
	@mkdir -p $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) tools/gen-seccomp.c core/seccomp_rules.c -o $@ -lseccomp

$(BUILD)/seccomp_bpf.h: $(BUILD)/gen-seccomp
	$(BUILD)/gen-seccomp > $@.tmp && mv $@.tmp $@

libexec/isolate-init: $(HELPER_OBJ)
	@mkdir -p libexec
	$(HELPER_CC) -static $(CFLAGS) $^ -o $@ -lm

cli/isolate: cli/main.c $(BUILD)/libisolate.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(HARDEN) -fPIE -pie $(LDNOW) $< $(BUILD)/libisolate.a -o $@

builtin/isolate.so: builtin/isolate_bash.c $(BUILD)/libisolate.a
	$(CC) $(CPPFLAGS) -DHAVE_CONFIG_H -DSHELL $(BASH_INC) $(CFLAGS) $(HARDEN) -fPIC \
	    -fvisibility=hidden -shared $(LDNOW) $< $(BUILD)/libisolate.a -o $@

zsh-module/isolate.so: zsh-module/isolate_zsh.c $(BUILD)/libisolate.a
	$(CC) $(CPPFLAGS) -DMODULE $(ZSH_INC) $(CFLAGS) $(HARDEN) -fPIC -fvisibility=hidden \
	    -shared $(LDNOW) $< $(BUILD)/libisolate.a -o $@

tests/probe: tests/probe.c
	$(CC) -static $(CPPFLAGS) $(CFLAGS) $(WARN) $< -o $@

tests/membomb: tests/membomb.c
	$(CC) -static $(CPPFLAGS) $(CFLAGS) $(WARN) $< -o $@

tests/swap: tests/swap.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< -o $@

tests/nouserns: tests/nouserns.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< -o $@

# Unit tests link the core statically, so they reach its hidden iso_* functions.
tests/unit/test-%: tests/unit/test-%.c tests/unit/tap.h $(BUILD)/libisolate.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Icore -I$(BUILD) $< $(BUILD)/libisolate.a -o $@

# The paste classifier's benchmark: rates on ../shared/corpus and timings.
bench/paste-bench: bench/paste-bench.c core/paste.h $(BUILD)/libisolate.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Icore $< $(BUILD)/libisolate.a -o $@

# Sanitizer builds (clang): the core once more with ASan and UBSan, for the
# fuzz targets (make fuzz) and for the CLI, the shell adapters and the unit
# tests (make test-asan; tests/run asan). isolate-init stays the static musl
# helper: it cannot carry ASan's runtime, and it is the same binary either way.
SAN_CC    ?= clang
SAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_DEPS  := core/isolate.h core/internal.h core/seccomp_rules.h core/paste.h core/paste_int.h \
             $(BUILD)/seccomp_bpf.h
FUZZ_TIME ?= 60
FUZZ_BIN  := tests/fuzz/fuzz-args tests/fuzz/fuzz-paste tests/fuzz/fuzz-paste-oom
ASAN      := $(BUILD)/asan
ASAN_BIN  := $(ASAN)/cli/isolate $(ASAN)/builtin/isolate.so $(ASAN)/zsh-module/isolate.so \
             $(ASAN)/libexec/isolate-init \
             $(patsubst tests/unit/%.c,$(ASAN)/tests/unit/%,$(wildcard tests/unit/test-*.c))

$(BUILD)/fuzz/%.o: %.c $(SAN_DEPS)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CPPFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer-no-link $(WARN) -I$(BUILD) -c $< -o $@

$(BUILD)/fuzz/libisolate.a: $(CORE_SRC:%.c=$(BUILD)/fuzz/%.o)
	$(AR) rcs $@ $^

# The classifier with a tiny memory cap: its out-of-memory paths, fuzzed.
$(BUILD)/fuzz/paste-oom.o: core/paste.c $(SAN_DEPS)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CPPFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -DISO_PZ_TEST_LIMIT=65536 \
	    -I$(BUILD) -c $< -o $@

tests/fuzz/fuzz-%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/fuzz/libisolate.a
	$(SAN_CC) $(CPPFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -Icore $< $(BUILD)/fuzz/libisolate.a -o $@ -lm

tests/fuzz/fuzz-paste-oom: tests/fuzz/paste.c tests/fuzz/fuzz.h $(BUILD)/fuzz/paste-oom.o $(BUILD)/fuzz/libisolate.a
	$(SAN_CC) $(CPPFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -Icore $< $(BUILD)/fuzz/paste-oom.o \
	    $(BUILD)/fuzz/libisolate.a -o $@ -lm

fuzz-build: $(FUZZ_BIN)

# Every target for FUZZ_TIME seconds (make fuzz FUZZ_TIME=600).
fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_TIME)

$(ASAN)/pic/%.o: %.c $(SAN_DEPS)
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CPPFLAGS) $(SAN_FLAGS) $(WARN) -I$(BUILD) -fPIC -fvisibility=hidden -c $< -o $@

$(ASAN)/libisolate.a: $(CORE_SRC:%.c=$(ASAN)/pic/%.o)
	$(AR) rcs $@ $^

$(ASAN)/cli/isolate: cli/main.c $(ASAN)/libisolate.a
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CPPFLAGS) $(SAN_FLAGS) $(WARN) $< $(ASAN)/libisolate.a -o $@

# The shell adapters leave ASan's runtime unresolved: the shell that loads
# them must have it preloaded (tests/run asan sets LD_PRELOAD for them).
$(ASAN)/builtin/isolate.so: builtin/isolate_bash.c $(ASAN)/libisolate.a
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CPPFLAGS) -DHAVE_CONFIG_H -DSHELL $(BASH_INC) $(SAN_FLAGS) -fPIC \
	    -fvisibility=hidden -shared $< $(ASAN)/libisolate.a -o $@

$(ASAN)/zsh-module/isolate.so: zsh-module/isolate_zsh.c $(ASAN)/libisolate.a
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CPPFLAGS) -DMODULE $(ZSH_INC) $(SAN_FLAGS) -fPIC -fvisibility=hidden \
	    -shared $< $(ASAN)/libisolate.a -o $@

$(ASAN)/libexec/isolate-init: libexec/isolate-init
	@mkdir -p $(dir $@)
	cp $< $@

$(ASAN)/tests/unit/test-%: tests/unit/test-%.c tests/unit/tap.h $(ASAN)/libisolate.a
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CPPFLAGS) $(SAN_FLAGS) $(WARN) -Icore -I$(BUILD) $< $(ASAN)/libisolate.a -o $@

asan: $(ASAN_BIN)

test-asan: deps-test
	@$(MAKE) --no-print-directory all asan
	@tests/run asan

deps:
	@tools/deps build

deps-test:
	@tools/deps test

demo: deps
	@$(MAKE) --no-print-directory all
	@demo/run-demo

test: deps-test
	@$(MAKE) --no-print-directory all asan
	@tests/run

test-unit: $(TEST_BIN)
	@for t in $(filter tests/unit/%,$(TEST_BIN)); do $$t || exit 1; done

bench: all bench/paste-bench
	@tools/deps bench
	bench/run

install: $(PROGRAMS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(LIBDIR)/bash \
	    $(DESTDIR)$(LIBDIR)/zsh $(DESTDIR)$(PREFIX)/share/isolate $(DESTDIR)$(MANDIR)/man1
	install -m 755 cli/isolate $(DESTDIR)$(BINDIR)/isolate
	install -m 755 libexec/isolate-init $(DESTDIR)$(LIBEXECDIR)/isolate-init
	install -m 644 builtin/isolate.so $(DESTDIR)$(LIBDIR)/bash/isolate.so
	install -m 644 zsh-module/isolate.so $(DESTDIR)$(LIBDIR)/zsh/isolate.so
	# The shell files: source isolate.bash or isolate.zsh from an rc file.
	for f in isolate.bash isolate.zsh isolate.plugin.zsh; do \
	    sed 's|@LIBDIR@|$(LIBDIR)|g' shell/$$f > $(DESTDIR)$(PREFIX)/share/isolate/$$f && \
	    chmod 644 $(DESTDIR)$(PREFIX)/share/isolate/$$f || exit 1; \
	done
	install -m 644 shell/_isolate $(DESTDIR)$(PREFIX)/share/isolate/_isolate
	install -m 644 doc/isolate.1 $(DESTDIR)$(MANDIR)/man1/isolate.1

# Where AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+): a
# profile that allows them to the installed isolate program. As root, after
# make install; loaded at once when AppArmor is running.
APPARMOR_DIR ?= /etc/apparmor.d
install-apparmor:
	install -d $(DESTDIR)$(APPARMOR_DIR)
	sed 's|@BINDIR@|$(BINDIR)|g' tools/apparmor/isolate.in > $(DESTDIR)$(APPARMOR_DIR)/isolate
	chmod 644 $(DESTDIR)$(APPARMOR_DIR)/isolate
	@if [ -z "$(DESTDIR)" ] && [ -d /sys/kernel/security/apparmor ] && \
	    command -v apparmor_parser >/dev/null; then \
	    apparmor_parser -r $(APPARMOR_DIR)/isolate && echo "isolate: AppArmor profile loaded"; \
	else \
	    echo "isolate: AppArmor is not running here; the profile is installed, not loaded"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/isolate $(DESTDIR)$(LIBEXECDIR)/isolate-init \
	    $(DESTDIR)$(LIBDIR)/bash/isolate.so $(DESTDIR)$(LIBDIR)/zsh/isolate.so \
	    $(DESTDIR)$(PREFIX)/share/isolate/isolate.bash $(DESTDIR)$(PREFIX)/share/isolate/isolate.zsh \
	    $(DESTDIR)$(PREFIX)/share/isolate/isolate.plugin.zsh $(DESTDIR)$(PREFIX)/share/isolate/_isolate \
	    $(DESTDIR)$(MANDIR)/man1/isolate.1
	-rmdir $(DESTDIR)$(PREFIX)/share/isolate 2>/dev/null

FORMAT_SRC = $(wildcard core/*.c core/*.h cli/*.c builtin/*.c zsh-module/*.c helper/*.c \
                        tools/*.c tests/*.c tests/unit/*.c tests/fuzz/*.c)
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

clean:
	rm -rf $(BUILD) $(PROGRAMS) $(TEST_BIN) $(FUZZ_BIN) bench/paste-bench
