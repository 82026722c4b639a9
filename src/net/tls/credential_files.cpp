// Key and certificate files: created exclusively with their final mode, and read
// only after the checks that keep a private key private.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <meshmpc/error.hpp>
#include <meshmpc/net/tls/credentials.hpp>

#include "openssl_util.hpp"

namespace meshmpc::net::tls {

namespace {

// Far above any key or certificate chain; a bigger "key" is the wrong file.
constexpr off_t kMaxKeyFile = 64 * 1024;
constexpr off_t kMaxCertificateFile = 4 * 1024 * 1024;

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error a deferred write may only show here.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Wipes a string that held key text when the scope is left by an exception.
class WipeOnThrow {
 public:
  explicit WipeOnThrow(std::string& text) : text_(text) {}
  ~WipeOnThrow() {
    if (armed_) OPENSSL_cleanse(text_.data(), text_.size());
  }
  WipeOnThrow(const WipeOnThrow&) = delete;
  WipeOnThrow& operator=(const WipeOnThrow&) = delete;
  void disarm() { armed_ = false; }

 private:
  std::string& text_;
  bool armed_ = true;
};

std::string errno_text(int error) { return std::strerror(error); }

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

void write_new_file(const std::string& path, std::string_view text, mode_t mode, const std::string& what) {
  // O_EXCL: never replace a file (nor follow a symlink planted in its place).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) {
      throw ConfigError(what + " '" + path + "' already exists; it is not overwritten (remove it first to replace it)");
    }
    throw ConfigError("cannot create " + what + " '" + path + "': " + errno_text(error));
  }
  FileDescriptor file(fd);
  // A half-written file would make the next attempt fail with "already exists".
  const auto fail = [&](const std::string& doing, int error) {
    file.close();
    ::unlink(path.c_str());
    throw ConfigError("cannot " + doing + " " + what + " '" + path + "': " + errno_text(error));
  };
  // The umask may have taken bits away; the mode is the one promised, exactly.
  if (::fchmod(file.get(), mode) != 0) fail("set the mode of", errno);
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(file.get(), text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(file.get()) != 0) fail("write", errno);
  if (file.close() != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    throw ConfigError("cannot write " + what + " '" + path + "': " + errno_text(error));
  }
}

// A private key that group or others may read or write is refused.
void check_key_mode(mode_t mode, const std::string& path, const std::string& what, bool private_key) {
  const mode_t shared = S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH;
  if (private_key && (mode & shared) != 0) {
    throw ConfigError(what + " '" + path + "' has mode " + octal_mode(mode) +
                      ": group or others may read or write it; run: chmod 600 " + path);
  }
}

// The file's status before it is opened: it exists, is a regular file, and a
// private key's mode keeps it private.
struct stat checked_status(const std::string& path, const std::string& what, bool private_key) {
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) {
    const int error = errno;
    if (error == ENOENT) throw ConfigError(what + " '" + path + "' does not exist");
    throw ConfigError("cannot access " + what + " '" + path + "': " + errno_text(error));
  }
  if (!S_ISREG(before.st_mode)) {
    throw ConfigError(what + " '" + path + "' is " + file_kind(before.st_mode) + ", not a file");
  }
  check_key_mode(before.st_mode, path, what, private_key);
  return before;
}

// Reads `fd` into `text`, sized beforehand from fstat: a file that grew since is
// refused, one that shrank is kept as it is.
void read_sized(int fd, std::string& text, const std::string& path, const std::string& what) {
  std::size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      // Expect the end here; a file that grew since fstat is refused.
      std::array<char, 1> extra{};
      const ssize_t n = ::read(fd, extra.data(), extra.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ConfigError("cannot read " + what + " '" + path + "': " + errno_text(errno));
      if (n > 0) {
        OPENSSL_cleanse(extra.data(), extra.size());
        throw ConfigError(what + " '" + path + "' changed while being read; try again");
      }
      break;
    }
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ConfigError("cannot read " + what + " '" + path + "': " + errno_text(errno));
    }
    if (n == 0) {
      text.resize(got);  // shrank since fstat: keep what is there
      break;
    }
    got += static_cast<std::size_t>(n);
  }
}

// The checks shared by both readers, in the order the header promises; the
// private-key mode check only when `private_key`.
std::string read_checked_file(const std::string& path, const std::string& what, bool private_key, off_t limit) {
  const struct stat before = checked_status(path, what, private_key);

  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw ConfigError("cannot read " + what + " '" + path + "': " + errno_text(errno));
  FileDescriptor file(fd);
  // The file opened must be the file checked (not swapped in between).
  struct stat opened {};
  if (::fstat(file.get(), &opened) != 0) {
    throw ConfigError("cannot read " + what + " '" + path + "': " + errno_text(errno));
  }
  if (opened.st_dev != before.st_dev || opened.st_ino != before.st_ino || !S_ISREG(opened.st_mode)) {
    throw ConfigError(what + " '" + path + "' was replaced while being opened; try again");
  }
  check_key_mode(opened.st_mode, path, what, private_key);
  if (opened.st_size > limit) {
    throw ConfigError(what + " '" + path + "' is " + std::to_string(opened.st_size) + " bytes, too large for a " +
                      (private_key ? "private key" : "certificate file"));
  }

  // One allocation of the final size, so that no reallocation leaves copies of
  // key text behind in freed memory.
  std::string text(static_cast<std::size_t>(opened.st_size), '\0');
  WipeOnThrow wipe(text);
  read_sized(file.get(), text, path, what);
  wipe.disarm();
  return text;
}

}  // namespace

void write_private_key_file(const std::string& path, std::string_view key_pem) {
  write_new_file(path, key_pem, S_IRUSR | S_IWUSR, "private key file");
}

void write_certificate_file(const std::string& path, std::string_view cert_pem) {
  write_new_file(path, cert_pem, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH, "certificate file");
}

std::string read_private_key_file(const std::string& path) {
  std::string text = read_checked_file(path, "private key file", true, kMaxKeyFile);
  WipeOnThrow wipe(text);
  detail::private_key_from_pem(text, "private key file '" + path + "'");
  wipe.disarm();
  return text;
}

std::string read_certificate_file(const std::string& path) {
  std::string text = read_checked_file(path, "certificate file", false, kMaxCertificateFile);
  detail::certificate_from_pem(text, "certificate file '" + path + "'");
  return text;
}

}  // namespace meshmpc::net::tls
