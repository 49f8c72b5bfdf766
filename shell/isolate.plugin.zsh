# isolate.plugin.zsh - for zsh plugin managers (antigen, zinit, oh-my-zsh's
# custom plugins, ...): the same as sourcing isolate.zsh.
source "${${(%):-%x}:A:h}/isolate.zsh"
