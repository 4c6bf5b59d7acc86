package manhole

import (
	"errors"
	"fmt"
)

// unixSockets is false: Windows cannot tell a unix socket's peer uid, and
// the peer-uid check is what admits a client without a key. A manhole
// there listens on loopback TCP only, where a key is always required, and
// writes no metadata file (no client could check who wrote it).
const unixSockets = false

// validatePlatform refuses, by name, every option that needs what Windows
// lacks; each error wraps errors.ErrUnsupported. The file options are
// refused because their checks read file modes (StrictModes, a private
// host key), and Windows file modes do not say who may read or write a
// file: its ACL does, which manhole does not read yet.
func (o *Options) validatePlatform() error {
	const tcp = "listen on loopback TCP instead: Options.Addr (\"127.0.0.1:PORT\") with AuthorizedKeys or TrustedUserCAKeys"
	const modes = "file modes cannot show who may read or write it"
	unsupported := func(option, why, instead string) error {
		return fmt.Errorf("manhole: Options.%s: %w on Windows (%s); %s", option, errors.ErrUnsupported, why, instead)
	}
	switch {
	case o.SocketPath != "":
		return unsupported("SocketPath", "unix sockets with the peer-uid check", tcp)
	case o.AllowUIDs != nil:
		return unsupported("AllowUIDs", "there is no peer uid to check", tcp)
	case o.ActivateOn != nil:
		return unsupported("ActivateOn", "there are no signals to activate on", "leave it nil: the manhole listens at once")
	case o.AuthorizedKeysFile != "":
		return unsupported("AuthorizedKeysFile", modes, "pass the keys as text in Options.AuthorizedKeys")
	case o.RevokedKeysFile != "":
		return unsupported("RevokedKeysFile", modes, "remove revoked keys from Options.AuthorizedKeys")
	case o.HostKeyFile != "":
		return unsupported("HostKeyFile", modes, "leave it empty: a new host key is made at each start")
	case o.HistoryFile != "":
		return unsupported("HistoryFile", modes, "leave it empty: history lasts as long as the process")
	case o.Addr == "":
		return fmt.Errorf("manhole: Options.Addr is required on Windows: unix sockets with the peer-uid check are %w there; %s", errors.ErrUnsupported, tcp)
	}
	return nil
}
