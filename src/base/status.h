// Status and Result<T>: how every fallible call in bakeoff reports an expected failure.
//
// Exceptions are reserved for bugs and for parsers at the edge (caught there and turned into a Status).
// No exception crosses a driver boundary or a C callback.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace bakeoff {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the user: experiment file, option, flag
  kNotFound,         // a named thing (driver, file, result) does not exist
  kUnavailable,      // a server or endpoint cannot be reached now; retriable
  kQueueFull,        // a bounded client queue is full; retry after serving completions
  kTimeout,          // a deadline passed
  kCancelled,        // stopped on request (Ctrl-C, SIGTERM, deadline of the run)
  kInternal,         // a bug or an unexpected library failure
  kIo,               // a file or socket operation failed
  kUnauthenticated,  // credentials were refused
};

// Whether an operation that failed with `code` may succeed when simply retried.
constexpr bool IsRetriable(StatusCode code) {
  switch (code) {
    case StatusCode::kUnavailable:
    case StatusCode::kQueueFull:
    case StatusCode::kTimeout:
      return true;
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kCancelled:
    case StatusCode::kInternal:
    case StatusCode::kIo:
    case StatusCode::kUnauthenticated:
      return false;
  }
  return false;
}

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>"; "ok" for success.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status Unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}
inline Status QueueFull(std::string m) {
  return {StatusCode::kQueueFull, std::move(m)};
}
inline Status Timeout(std::string m) {
  return {StatusCode::kTimeout, std::move(m)};
}
inline Status Cancelled(std::string m) {
  return {StatusCode::kCancelled, std::move(m)};
}
inline Status Internal(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}
inline Status IoError(std::string m) {
  return {StatusCode::kIo, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}

namespace internal {
// Prints "value() of an error result: <status>" to stderr and aborts.
[[noreturn]] void DieOnBadResultAccess(const Status& status);
}  // namespace internal

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // A Result made from a Status holds an error: an OK status here is a bug, turned into kInternal so
  // that it is never mistaken for a value.
  Result(Status status)  // NOLINT: implicit by design
      : status_(status.ok() ? Status(StatusCode::kInternal, "Result<T> constructed from an OK status")
                            : std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // value(), * and -> of an error abort the process with the error's text: reading a value that is not
  // there is a bug, never an expected failure.
  T& value() & { return Checked(); }
  const T& value() const& { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &Checked(); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return Checked(); }

 private:
  T& Checked() {
    if (!value_) internal::DieOnBadResultAccess(status_);
    return *value_;
  }
  const T& Checked() const {
    if (!value_) internal::DieOnBadResultAccess(status_);
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace bakeoff

// BAKEOFF_ASSIGN_OR_RETURN(auto x, MakeX()); — declares x from a Result's value, or returns its status.
#define BAKEOFF_CONCAT_INNER_(a, b) a##b
#define BAKEOFF_CONCAT_(a, b) BAKEOFF_CONCAT_INNER_(a, b)
#define BAKEOFF_ASSIGN_OR_RETURN(lhs, expr) \
  BAKEOFF_ASSIGN_OR_RETURN_IMPL_(BAKEOFF_CONCAT_(bakeoff_result_, __LINE__), lhs, expr)
// `result` names a variable and `lhs` may be a declaration (`auto x`): neither can be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define BAKEOFF_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                   \
  if (!result.ok()) return result.status();               \
  lhs = std::move(result).value()
// NOLINTEND(bugprone-macro-parentheses)

#define BAKEOFF_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::bakeoff::Status bakeoff_status_ = (expr);        \
    if (!bakeoff_status_.ok()) return bakeoff_status_; \
  } while (0)
