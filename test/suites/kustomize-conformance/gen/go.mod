module sluice.dev/test/kustomize-conformance/gen

go 1.22
