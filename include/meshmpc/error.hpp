#pragma once
// The exceptions meshmpc throws. Every message says what was wrong and where; a
// PeerError also says which party.
#include <stdexcept>
#include <string>

namespace meshmpc {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value that does not fit where it was put: an integer outside a field's range,
// a byte string of the wrong length, a share index out of range.
class RangeError : public Error {
 public:
  using Error::Error;
};

// A parameter combination that cannot work: t >= n/2, n larger than the field, ...
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A peer sent something that breaks the protocol (bad frame, wrong label, ...).
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// A peer could not be reached, closed its link or was refused.
class PeerError : public Error {
 public:
  using Error::Error;
};

}  // namespace meshmpc
