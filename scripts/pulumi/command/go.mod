module dsas.local/pulumi-resource-command

go 1.26.6

// v0.0.0-20260303235922-7f3eb6f3b77c is the commit tagged v1.2.1 in pulumi-command,
// the release that npm @pulumi/command 1.2.1 installs.
require github.com/pulumi/pulumi-command/provider v0.0.0-20260303235922-7f3eb6f3b77c
