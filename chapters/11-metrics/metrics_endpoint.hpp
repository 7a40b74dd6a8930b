/// \file
/// MetricsEndpoint: a tiny HTTP/1.1 server, on its own thread and port, that answers
/// `GET /metrics` for a Prometheus scraper.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "06-server/listener.hpp"
#include "common/status.hpp"
#include "common/unique_fd.hpp"

namespace vkv::net {

/// Serves the text that `render` returns at `/metrics`, over HTTP/1.1, on a port of its own.
///
/// It does as little HTTP as a scraper needs. One thread accepts one connection at a time,
/// reads one request, answers it and closes the connection:
///   - `GET /metrics` (any query string): 200, the text, `Content-Type` PrometheusText's;
///   - `HEAD /metrics`: the same headers, no body;
///   - another path: 404; another method: 405 with `Allow: GET, HEAD`;
///   - a request that is not HTTP, or whose head is over kMaxRequestBytes: 400;
///   - a request not complete within kReadTimeout: 408.
/// Every response says `Connection: close`. Nothing a client sends can crash the endpoint or
/// grow its memory past kMaxRequestBytes and one rendered text; a client that sends nothing,
/// or will not read, holds it for at most kReadTimeout, then kWriteTimeout.
///
/// `render` runs on the endpoint's thread, once per GET or HEAD, and must not throw. The
/// endpoint does not bound its time: a slow render delays its own scrape (and the next
/// client's), and making it fast (reading counters, not walking the store) is the caller's
/// job. Whatever it reads from other threads it must read safely (atomics, a lock).
///
/// Thread-safe: stop() and the accessors may be called from any thread, except that stop()
/// must not be called from `render` (it waits for the thread that runs it).
class MetricsEndpoint {
 public:
  /// The most bytes a request's head (request line and headers) may take: a scraper sends a
  /// few hundred. Over it, the answer is 400.
  static constexpr std::size_t kMaxRequestBytes = 8 * 1024;
  /// How long a client has, from its connection being accepted, to send a whole request.
  static constexpr std::chrono::milliseconds kReadTimeout{2000};
  /// How long a client has, once the text is rendered, to take the whole response (and then
  /// to close its end, see kMaxDrainBytes). A whole deadline, not one per write, so a client
  /// that reads a byte at a time cannot hold the endpoint either; a scrape's text is a few
  /// kilobytes, which a scraper takes in far less.
  static constexpr std::chrono::milliseconds kWriteTimeout{2000};
  /// After the response, the endpoint reads and discards what the client still sends (up to
  /// this many bytes, within kWriteTimeout) until the client closes: closing a socket with
  /// unread bytes in it resets the connection, and the reset can destroy the response before
  /// the client has read it (a 400 for a huge request, say).
  static constexpr std::size_t kMaxDrainBytes = 64 * 1024;
  /// How long the endpoint waits before accepting again after accept() failed (out of
  /// descriptors, say), rather than spinning on a socket that stays readable.
  static constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

  /// Listens on `bind:port` (an IPv4 address; port 0: the OS picks one, see port()) and
  /// starts the thread that serves `render`'s text. An invalid-argument status for a bad
  /// address, an I/O error when the address cannot be bound (in use, say).
  static Result<std::unique_ptr<MetricsEndpoint>> start(const std::string& bind,
                                                        std::uint16_t port,
                                                        std::function<std::string()> render);

  /// Stops serving: see stop().
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  /// Stops the thread and closes the listening socket, so new connections are refused. A
  /// connection being served is closed at once, whatever it is waiting for: stop() returns
  /// as soon as the thread sees it (or once a `render` in progress returns). Idempotent.
  void stop();

  /// The port the endpoint listens on (the OS's choice when 0 was asked for).
  [[nodiscard]] std::uint16_t port() const { return listener_.port(); }
  /// "address:port", for messages.
  [[nodiscard]] std::string address() const { return listener_.address(); }
  /// How many connections the endpoint has accepted so far.
  [[nodiscard]] std::uint64_t accepted() const { return accepted_.load(); }

 private:
  struct Key {};  // only start() makes one, so the thread starts once the object exists

 public:
  /// For start() only (the Key is private); use start().
  MetricsEndpoint(Key, Listener listener, UniqueFd wake_read, UniqueFd wake_write,
                  std::function<std::string()> render);

 private:
  enum class Wait { kReady, kTimedOut, kStopped };

  // The thread: accepts connections and serves each, until stop().
  void serve();
  // Reads one request from `fd`, answers it, and lingers until the client closes.
  void serve_connection(int fd);
  // The whole response to the request whose head is `head` (up to and with its blank line).
  std::string respond(std::string_view head);
  // Writes all of `bytes` to `fd` before `deadline`; false if the client went away, was too
  // slow, or stop() was called.
  bool write_response(int fd, std::string_view bytes,
                      std::chrono::steady_clock::time_point deadline);
  // Reads and discards what the client still sends until it closes, as kMaxDrainBytes says.
  void drain(int fd, std::chrono::steady_clock::time_point deadline);
  // Waits until `fd` has `events` (POLLIN, POLLOUT), `deadline` passes or stop() is called.
  Wait wait(int fd, short events, std::chrono::steady_clock::time_point deadline);

  Listener listener_;
  UniqueFd wake_read_;   // readable once stop() has written to wake_write_
  UniqueFd wake_write_;
  std::function<std::string()> render_;
  std::atomic<std::uint64_t> accepted_{0};
  std::mutex stop_mu_;  // one stop() at a time
  std::thread thread_;  // last: started by start() once the rest exists
};

}  // namespace vkv::net
