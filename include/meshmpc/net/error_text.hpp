#pragma once
// What a user reads about a failed socket operation. boost::system::system_error::what()
// (Boost 1.81) ends with "[system:111 at /usr/include/boost/asio/...:NN in function ...]":
// a header path and a signature say nothing to a user and make every message long.
#include <boost/system/system_error.hpp>
#include <string>
#include <string_view>

namespace meshmpc::net {

// The error's own prefix (usually where: an address), then the OS's text, e.g.
// "127.0.0.1:5000: Connection refused".
inline std::string error_text(const boost::system::system_error& error) {
  const std::string_view what = error.what();
  const std::string code_what = error.code().what();
  // what() is `prefix + ": " + code.what()` or `code.what()`; anything else (another
  // Boost) keeps only the OS's text rather than guess.
  if (what.size() >= code_what.size() && what.substr(what.size() - code_what.size()) == code_what) {
    return std::string(what.substr(0, what.size() - code_what.size())) + error.code().message();
  }
  return error.code().message();
}

}  // namespace meshmpc::net
