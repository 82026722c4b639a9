#pragma once
// The token of the macOS apps' LocalAPI, and where to find it.
//
// The Tailscale app from the Mac App Store and the standalone (notarized) app run
// tailscaled inside a sandboxed network extension, which cannot offer a Unix socket
// to other programs. It listens on 127.0.0.1:<random port> instead and wants every
// request to carry HTTP Basic auth with an empty user and a random token as the
// password (tailscale's safesocket/safesocket_darwin.go, ipn/localapi/localapi.go:
// no auth -> 401 "auth required", another token -> 403 "bad password"). The app
// leaves both in a "sameuserproof" file:
// - App Store app: an empty file named sameuserproof-<port>-<token> in its group
//   container, ~/Library/Group Containers/<team>.io.tailscale.ipn.macos/ (the
//   tailscale CLI finds it with lsof on the IPNExtension process; we look there);
// - standalone app: /Library/Tailscale/ipnport, a symlink whose target is the
//   port, and /Library/Tailscale/sameuserproof-<port> holding the token (mode 0640,
//   group admin: only administrators may read it).
// A new port and token are made each time the app starts.
//
// The token grants this user's access to tailscaled, so it never appears in a
// message or a log (file names that contain it are not printed either), and it is
// wiped from memory when the last LocalApi holding it goes.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshmpc::tailscale {

// Longest token accepted: the app's are 20 hex digits; anything far longer is not one.
inline constexpr std::size_t kMaxTokenLength = 256;

class LocalApiToken {
 public:
  // `source` says where the token came from, for messages ("the token file X").
  // Throws ConfigError naming `source` (never the value) when `value` is empty,
  // longer than kMaxTokenLength or holds a space or a control character.
  LocalApiToken(std::string value, std::string source);
  ~LocalApiToken();
  LocalApiToken(const LocalApiToken&) = delete;
  LocalApiToken& operator=(const LocalApiToken&) = delete;

  const std::string& source() const { return source_; }
  // The Authorization header's value: "Basic " + base64(":" + token).
  const std::string& authorization() const { return authorization_; }
  // `text` with every occurrence of the token replaced by "<token>": for messages
  // that quote what a server sent.
  std::string redact(std::string text) const;

 private:
  std::string value_;
  std::string authorization_;
  std::string source_;
};

// Reads a token file: one line, surrounding white space ignored (so the standalone
// app's /Library/Tailscale/sameuserproof-<port> serves as it is). Throws ConfigError
// naming the file when it cannot be read or holds no valid token.
std::shared_ptr<const LocalApiToken> read_token_file(const std::string& path);

// Where the macOS apps leave their sameuserproof file.
struct MacosPlaces {
  std::string group_containers;  // $HOME/Library/Group Containers (App Store app)
  std::string standalone_dir;    // /Library/Tailscale (standalone app)
  static MacosPlaces defaults();  // from $HOME; group_containers empty without it
};

struct LoopbackCredentials {
  std::uint16_t port = 0;
  std::shared_ptr<const LocalApiToken> token;
};

// The port and token of a macOS app's LocalAPI: the App Store app's file first,
// then the standalone app's (the order of the tailscale CLI). With `port`, only a
// file for that port counts. When the App Store folder holds files for several
// ports (left by an app that crashed), the newest is taken. Returns nullopt when
// none is found, and adds to `looked` one line per place looked at saying why it
// did not serve (no token or token-bearing file name in them).
std::optional<LoopbackCredentials> find_macos_credentials(const MacosPlaces& places,
                                                          std::optional<std::uint16_t> port,
                                                          std::vector<std::string>& looked);

}  // namespace meshmpc::tailscale
