/// \file
/// request_keys: the keys a run of pipelined requests names, told cheaply, for look-ahead.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace vkv::protocol {

//! [request-keys]
/// One request's command word and its key (its second word), as views into the bytes read.
struct RequestKey {
  std::string_view command;  ///< "GET", "set", ...: as sent, any case
  std::string_view key;      ///< the second word: a key for most commands
};

/// The keys named by the complete requests at the start of `bytes`, in order: each request's
/// second word, whether it is a line of the text protocol (`GET key`) or an array of RESP,
/// Redis's protocol (`*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n`, told by its leading `*`), with
/// its command. Writes at most out.size() of them and returns how many. A request of one word
/// names none; the first request that is cut short or malformed ends the list.
///
/// For look-ahead only (net::LookAhead): it does not know the commands, so a word that is not
/// a key (PING's message) is named too, and a quoted word is named as written. Nothing may
/// depend on its answer being right, only on its being cheap.
std::size_t request_keys(std::string_view bytes, std::span<RequestKey> out);

/// False when `bytes` surely hold at most one request: a RESP array with no second `*`, a text
/// line with no byte after its `\n`. Without a pipeline nearly every read is one request, and
/// this spares it the skim (about 1% of its time). True may still be one request (a value
/// with a `*` in it).
bool may_hold_two_requests(std::string_view bytes);
//! [request-keys]

}  // namespace vkv::protocol
