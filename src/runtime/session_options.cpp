#include <meshmpc/error.hpp>
#include <meshmpc/runtime/session_options.hpp>

namespace meshmpc {

std::string to_string(MulProtocol m) { return m == MulProtocol::grr ? "grr" : "dn07"; }

MulProtocol mul_protocol_from_string(const std::string& s) {
  if (s == "grr") return MulProtocol::grr;
  if (s == "dn07") return MulProtocol::dn07;
  throw ConfigError("unknown multiplication protocol '" + s + "' (known: grr, dn07)");
}

}  // namespace meshmpc
