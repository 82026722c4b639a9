#pragma once
// The few POSIX descriptor chores the launcher's parts share. Private to the cli.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace meshmpc::cli {

inline std::string errno_text(int e) { return std::strerror(e); }

// Closes fd if open and marks it closed (-1), so a second call does nothing.
inline void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writes all of text, retrying after EINTR and short writes; gives up silently on
// any other error (the launcher's output has nowhere else to go).
inline void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace meshmpc::cli
