package stdsyms

// The curated list; doc.go says why each package is in it and what was
// left out. After changing it, run `go generate` here: internal/stdsymsgen
// runs yaegi's extractor on each package, as `yaegi extract -name stdsyms`
// does, and turns each table into a function that builds it (see
// Symbols), so that linking the package costs no heap. It replaces the
// files of its earlier run, so a package taken off the list leaves no
// file behind. The files carry the build constraint of the Go version
// that generated them.

//go:generate go run ../../internal/stdsymsgen bufio bytes cmp context crypto/hmac crypto/md5 crypto/sha1 crypto/sha256 crypto/sha512 encoding/base64 encoding/hex encoding/json errors fmt hash hash/crc32 hash/fnv io log log/slog maps math math/rand net/url os path path/filepath regexp runtime runtime/debug runtime/metrics slices sort strconv strings sync sync/atomic time unicode/utf8
