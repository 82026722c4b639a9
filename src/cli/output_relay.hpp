#pragma once
// The launcher's relay of its children's output: one thread polls every child's
// stdout and stderr pipe and passes on each complete line. Private to the cli.
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <meshmpc/cli/launcher.hpp>

namespace meshmpc::cli {

class OutputRelay {
 public:
  using LineHandler = std::function<void(std::size_t party, Stream stream, std::string_view line)>;

  // Each line goes to on_line (without its newline); when it is empty, to this
  // process's stdout or stderr as "[party i] line".
  explicit OutputRelay(LineHandler on_line) : on_line_(std::move(on_line)) {}
  ~OutputRelay();  // finish(), then closes every descriptor left
  OutputRelay(const OutputRelay&) = delete;
  OutputRelay& operator=(const OutputRelay&) = delete;

  // Relays what party `party` writes to `stream`: fd is the read end of its pipe,
  // owned by the relay from now on. Before start().
  void add(std::size_t party, Stream stream, int fd);
  // Starts the thread. Throws Error when its stop pipe cannot be made.
  void start();
  // Relays what is still waiting and stops the thread: call it once the children
  // are reaped. It does not wait for an end of file that a grandchild holding a
  // pipe could delay for ever.
  void finish();

  // Writes text to fd in one piece, never in the middle of a relayed line.
  void write(int fd, std::string_view text);

 private:
  struct Source {
    std::size_t party = 0;
    Stream stream = Stream::out;
    int fd = -1;
    std::string pending;  // the start of a line not yet complete
  };

  void emit(const Source& s, std::string_view line);
  bool read_from(Source& s);
  void loop();

  LineHandler on_line_;
  std::vector<Source> sources_;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
  std::mutex output_mutex_;
};

}  // namespace meshmpc::cli
