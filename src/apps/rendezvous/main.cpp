// meshmpc-rendezvous: serves rendezvous sessions until SIGINT or SIGTERM.
// Prints "meshmpc-rendezvous listening on HOST:PORT" on stderr once it listens
// (scripts and tests wait for that line). Exit 0 after a signal, 1 when it
// cannot run (e.g. the address is taken), 2 for a bad command line.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <exception>
#include <iostream>

#include <meshmpc/net/tcp_plumbing.hpp>
#include <meshmpc/rendezvous/server.hpp>

#include "options.hpp"

int main(int argc, char* argv[]) {
  namespace app = meshmpc::rendezvous_app;
  namespace asio = boost::asio;
  app::Options options;
  try {
    options = app::parse_options(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc));
  } catch (const app::UsageError& e) {
    std::cerr << "meshmpc-rendezvous: " << e.what() << '\n';
    return 2;
  }
  if (options.help) {
    std::cout << options.help_text;
    return 0;
  }
  try {
    spdlog::set_default_logger(spdlog::stderr_color_mt("meshmpc-rendezvous"));
    spdlog::set_level(options.log_level);

    asio::io_context context(1);
    asio::ip::tcp::acceptor acceptor = meshmpc::net::listen(context.get_executor(), options.listen);
    const std::string where = meshmpc::net::to_string(acceptor.local_endpoint());
    meshmpc::rendezvous::Server server(context.get_executor(), options.server);

    asio::signal_set signals(context, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int) {
      if (!error) server.stop();
    });
    std::exception_ptr failure;
    asio::co_spawn(context, server.run(std::move(acceptor)), [&](std::exception_ptr e) {
      failure = e;
      signals.cancel();
    });
    std::cerr << "meshmpc-rendezvous listening on " << where << std::endl;
    context.run();
    if (failure) std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    std::cerr << "meshmpc-rendezvous: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
