// DurabilityGate: tickets, inline and background settling, and a failed sync that must never
// let a held reply out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "06-server/durability_gate.hpp"
#include "02-parsing/memory_store.hpp"

using vkv::Status;
using vkv::net::DurabilityGate;
using vkv::net::GatedStore;

namespace {

using namespace std::chrono_literals;

bool wait_until(const std::function<bool()>& condition) {
  for (int i = 0; i < 4000 && !condition(); ++i) std::this_thread::sleep_for(1ms);
  return condition();
}

}  // namespace

TEST_CASE("gate: a ticket with no write before it is durable at once", "[ch06]") {
  std::atomic<int> syncs{0};
  DurabilityGate gate([&] { ++syncs; return Status::ok(); }, DurabilityGate::Mode::kBackground);
  CHECK(gate.is_durable(gate.ticket()));
  CHECK_FALSE(gate.when_durable(gate.ticket(), [](bool) { FAIL("not called for a durable ticket"); }));
  CHECK(syncs == 0);
}

TEST_CASE("gate: writes through a GatedStore wait for a sync (background)", "[ch06]") {
  std::atomic<int> syncs{0};
  DurabilityGate gate([&] { ++syncs; return Status::ok(); }, DurabilityGate::Mode::kBackground);
  vkv::storage::MemoryStore inner;
  GatedStore store(inner, gate);
  REQUIRE(store.set("a", "1").is_ok());
  const auto ticket = gate.ticket();
  CHECK(ticket == 1);
  std::promise<bool> settled;
  REQUIRE(gate.when_durable(ticket, [&](bool durable) { settled.set_value(durable); }));
  auto result = settled.get_future();
  REQUIRE(result.wait_for(10s) == std::future_status::ready);
  CHECK(result.get());
  CHECK(gate.is_durable(ticket));
  CHECK(syncs >= 1);
}

TEST_CASE("gate: many waiting tickets share syncs", "[ch06]") {
  std::atomic<int> syncs{0};
  DurabilityGate gate([&] { std::this_thread::sleep_for(2ms); ++syncs; return Status::ok(); },
                      DurabilityGate::Mode::kBackground);
  vkv::storage::MemoryStore inner;
  GatedStore store(inner, gate);
  std::atomic<int> settled{0};
  for (int i = 0; i < 200; ++i) {
    REQUIRE(store.set("k" + std::to_string(i), "v").is_ok());
    if (!gate.when_durable(gate.ticket(), [&](bool ok) { settled += ok ? 1 : 0; })) ++settled;
  }
  CHECK(wait_until([&] { return settled.load() == 200; }));
  CHECK(syncs < 200);  // each sync covered every write started before it
}

TEST_CASE("gate: one worker syncs inline, several share the gate's thread", "[ch06]") {
  CHECK(DurabilityGate::mode_for(1) == DurabilityGate::Mode::kInline);
  CHECK(DurabilityGate::mode_for(2) == DurabilityGate::Mode::kBackground);
  CHECK(DurabilityGate::mode_for(16) == DurabilityGate::Mode::kBackground);
  const auto cores = std::max(1u, std::thread::hardware_concurrency());
  CHECK(DurabilityGate::mode_for(0) == DurabilityGate::mode_for(cores));  // 0: one per core
}

TEST_CASE("gate: inline mode settles on the caller's thread", "[ch06]") {
  int syncs = 0;
  DurabilityGate gate([&] { ++syncs; return Status::ok(); }, DurabilityGate::Mode::kInline);
  vkv::storage::MemoryStore inner;
  GatedStore store(inner, gate);
  REQUIRE(store.del("x").is_ok());
  const auto ticket = gate.ticket();
  CHECK_FALSE(gate.is_durable(ticket));
  CHECK(gate.settle_inline(ticket));
  CHECK(gate.is_durable(ticket));
  CHECK(syncs == 1);
  CHECK(gate.settle_inline(ticket));  // already covered: no second sync
  CHECK(syncs == 1);
}

TEST_CASE("gate: after a failed sync nothing waiting is ever settled as durable", "[ch06]") {
  DurabilityGate gate([] { return Status::io_error("fdatasync: disk gone"); },
                      DurabilityGate::Mode::kBackground);
  vkv::storage::MemoryStore inner;
  GatedStore store(inner, gate);
  REQUIRE(store.set("a", "1").is_ok());
  std::promise<bool> first;
  REQUIRE(gate.when_durable(gate.ticket(), [&](bool durable) { first.set_value(durable); }));
  auto f = first.get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  CHECK_FALSE(f.get());
  REQUIRE(store.set("b", "2").is_ok());
  bool later = true;
  CHECK(gate.when_durable(gate.ticket(), [&](bool durable) { later = durable; }));
  CHECK_FALSE(later);  // the gate stays failed
  CHECK_FALSE(gate.is_durable(gate.ticket()));

  DurabilityGate inline_gate([] { return Status::io_error("write: disk full"); },
                             DurabilityGate::Mode::kInline);
  GatedStore store2(inner, inline_gate);
  REQUIRE(store2.set("c", "3").is_ok());
  CHECK_FALSE(inline_gate.settle_inline(inline_gate.ticket()));
}
