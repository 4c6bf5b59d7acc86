package stdsyms

// The curated list; doc.go says why each package is in it and what was
// left out. After changing the list, delete the generated files (those
// starting with "// Code generated") and run `go generate` here: a file of
// a package removed from the list would otherwise stay. The files carry
// the build constraint of the Go version that generated them.

//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract -name stdsyms bufio bytes cmp context crypto/hmac crypto/md5 crypto/sha1 crypto/sha256 crypto/sha512 encoding/base64 encoding/hex encoding/json errors fmt hash hash/crc32 hash/fnv io log log/slog maps math math/rand net/url os path path/filepath regexp runtime runtime/debug runtime/metrics slices sort strconv strings sync sync/atomic time unicode/utf8
