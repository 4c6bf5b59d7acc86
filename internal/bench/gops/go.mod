module github.com/gomanhole/manhole/internal/bench/gops

go 1.26.0

require (
	github.com/gomanhole/manhole v0.0.0
	github.com/google/gops v0.3.14
)

require (
	github.com/StackExchange/wmi v0.0.0-20190523213315-cbe66965904d // indirect
	github.com/anmitsu/go-shlex v0.0.0-20200514113438-38f4b401e2be // indirect
	github.com/gliderlabs/ssh v0.3.8 // indirect
	github.com/go-ole/go-ole v1.2.4 // indirect
	github.com/keybase/go-ps v0.0.0-20190827175125-91aafc93ba19 // indirect
	github.com/shirou/gopsutil v2.20.4+incompatible // indirect
	github.com/traefik/yaegi v0.16.1 // indirect
	github.com/xlab/treeprint v1.0.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	rsc.io/goversion v1.2.0 // indirect
)

replace github.com/gomanhole/manhole => ../../..

tool github.com/google/gops
