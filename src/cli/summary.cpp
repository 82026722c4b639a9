// A party's summary line (run.hpp): wall time, rounds, bytes sent and the path of
// each link — text for people, one JSON object for scripts (--json), the same facts.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <meshmpc/cli/run_impl.hpp>

namespace meshmpc::cli {

std::string summary(std::chrono::steady_clock::duration elapsed, std::uint64_t rounds, std::uint64_t bytes_sent) {
  const double s = std::chrono::duration<double>(elapsed).count();
  const double b = static_cast<double>(bytes_sent);
  const std::string amount = b < 1024 ? fmt::format("{} B", bytes_sent)
                             : b < 1 << 20 ? fmt::format("{:.1f} KiB", b / 1024)
                                           : fmt::format("{:.1f} MiB", b / (1 << 20));
  return fmt::format("done in {:.3f} s: {} rounds, {} sent", s, rounds, amount);
}

namespace {

boost::json::array json_paths(const net::NetworkStatistics& statistics, const net::Roster& roster, std::size_t self) {
  boost::json::array paths;
  for (std::size_t j = 0; j < statistics.peers.size() && j < roster.size(); ++j) {
    if (j == self) continue;
    const net::LinkRoute& route = statistics.peers[j].route;
    boost::json::object path{{"party", j}, {"name", roster.party(j).name}, {"path", net::to_string(route.path)}};
    if (!route.via.empty()) path["via"] = route.via;
    paths.push_back(std::move(path));
  }
  return paths;
}

std::string text_paths(const net::NetworkStatistics& statistics, const net::Roster& roster, std::size_t self) {
  std::string text;
  for (std::size_t j = 0; j < statistics.peers.size() && j < roster.size(); ++j) {
    if (j == self) continue;
    text += (text.empty() ? "; paths: " : ", ") + net::describe(roster.party(j)) + " " +
            net::to_string(statistics.peers[j].route);
  }
  return text;
}

}  // namespace

std::string summary(std::chrono::steady_clock::duration elapsed, std::uint64_t rounds,
                    const net::NetworkStatistics& statistics, const net::Roster& roster, std::size_t self, bool json) {
  const std::uint64_t bytes_sent = statistics.total().sent.wire_bytes();
  if (!json) return summary(elapsed, rounds, bytes_sent) + text_paths(statistics, roster, self);
  const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  const boost::json::object object{{"milliseconds", milliseconds},
                                   {"rounds", rounds},
                                   {"bytes_sent", bytes_sent},
                                   {"paths", json_paths(statistics, roster, self)}};
  return boost::json::serialize(object);
}

}  // namespace meshmpc::cli
