#pragma once
// meshmpc-rendezvous's command line, checked before anything listens.
#include <spdlog/common.h>

#include <stdexcept>

#include "../app_arguments.hpp"
#include <string>
#include <vector>

#include <meshmpc/net/roster.hpp>
#include <meshmpc/rendezvous/server.hpp>

namespace meshmpc::rendezvous_app {

// A bad command line: the program says so in one line and exits 2.
using apps::UsageError;

struct Options {
  bool help = false;
  std::string help_text;
  net::Endpoint listen;  // host "" listens on every address
  rendezvous::ServerOptions server;
  spdlog::level::level_enum log_level = spdlog::level::info;
};

// Throws UsageError with a one-line message.
Options parse_options(const std::vector<std::string>& args);

}  // namespace meshmpc::rendezvous_app
