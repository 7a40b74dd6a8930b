# vkv's front door. `make run` builds and starts the latest chapter's program; `make test`
# installs what is missing, builds everything, runs every test and builds the docs.
#
#   make run                    the latest program (the server, from chapter 6 on)
#   make cluster                three servers behind one nutcracker (twemproxy), chapter 12
#                               (ARGS="--nodes 5 --port 7000 --dir /tmp/c"; Ctrl-C stops it)
#   make test                   everything CI runs
#   make test CH=3              chapter 3's tests only
#   make test SANITIZE=address  the tests under ASan (also: undefined, thread)
#   make test TEST_UNITY=       the test files compiled one at a time, not 8 as one: slower
#                               from scratch, faster after an edit to one test file
#   make chapter N=3            build and start chapter 3's program
#   make exercise N=3           chapter 3's exercise tests: which are done, which not yet
#   make docs                   the course as HTML: build/docs/html/index.html
#   make bench                  every benchmark, with its ratios against a baseline, and the
#                               charts it draws in build/bench/plots
#   make fuzz                   the libFuzzer targets for FUZZ_SECONDS each (needs clang)
#   make start N=2              your workspace for chapter 2: workspace/ch02, its bodies stubbed
#   make check N=2              build your workspace and run its chapter tests (red, then green)
#   make starter-check          CI: every chapter's starter builds and its tests fail, fast
#                               (N="5 6": only those; its build is kept in build-starter/)

SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ARGS ?=
FUZZ_SECONDS ?= 60

CHAPTERS := $(sort $(patsubst chapters/%/main.cpp,%,$(wildcard chapters/[0-9][0-9]-*/main.cpp)))
LATEST := $(lastword $(CHAPTERS))
# The program `make run` starts: the server once there is one, else the latest chapter's.
RUN_PROGRAM := $(if $(wildcard chapters/06-*),vkv,ch$(LATEST))

ifeq ($(SANITIZE),)
  TEST_BUILD := build
else
  TEST_BUILD := build-$(SANITIZE)
endif
# A chapter's number in two digits, given as 9 or 09 (10# makes bash read 08 and 09 as decimal,
# not as bad octal); empty when it is not a number.
HASH := \#
two_digits = $(shell n='$(1)'; printf %02d "$$((10$(HASH)$$n))" 2>/dev/null)
CH_LABEL := $(if $(CH),ch$(call two_digits,$(CH)),)

# Tools and the Debian packages that bring them. `make test` installs what is missing.
# The last two lines: chapter 9's tests run real Redis clients against its server (redis-cli,
# redis-benchmark, hiredis, redis-py; ioredis and node-redis, which the build installs with npm
# from chapters/09-resp/tests/clients/package-lock.json). Chapter 11's tests read its Prometheus
# endpoint with curl and check it with promtool, Prometheus's own parser. Chapter 12's run a
# real twemproxy (Debian's nutcracker) in front of three servers. Chapter 9's and 10's send the
# same requests to their server and to a real redis-server and compare the replies. The starter check
# builds with ninja (faster than make there; it falls back to make without it).
TEST_NEEDS := cmake:cmake g++:g++ nc:netcat-openbsd /usr/include/catch2/catch.hpp:catch2 \
  /usr/include/benchmark/benchmark.h:libbenchmark-dev doxygen:doxygen dot:graphviz \
  /usr/share/doxygen-awesome-css/doxygen-awesome.css:doxygen-awesome-css /usr/bin/python3:python3 \
  redis-cli:redis-tools redis-benchmark:redis-tools /usr/include/hiredis/hiredis.h:libhiredis-dev \
  /usr/lib/python3/dist-packages/redis/__init__.py:python3-redis node:nodejs npm:npm \
  promtool:prometheus curl:curl /usr/sbin/nutcracker:nutcracker ninja:ninja-build \
  /usr/bin/redis-server:redis-server
# nc is how the README talks to the server; a fresh Debian machine has none.
RUN_NEEDS := cmake:cmake g++:g++ nc:netcat-openbsd
# What the learner's workspace and the starter check need.
STARTER_NEEDS := cmake:cmake g++:g++ /usr/include/catch2/catch.hpp:catch2 /usr/bin/python3:python3 \
  redis-cli:redis-tools /usr/bin/redis-server:redis-server
# What `make check` and `make exercise` need too: from chapter 9 on, whose tests run real
# Redis clients; from chapter 11, curl and promtool; from chapter 12, twemproxy. Without them a
# learner's finished chapter would fail for want of a package.
CLIENT_NEEDS := /usr/include/hiredis/hiredis.h:libhiredis-dev \
  /usr/lib/python3/dist-packages/redis/__init__.py:python3-redis node:nodejs npm:npm \
  redis-benchmark:redis-tools
METRICS_NEEDS := promtool:prometheus curl:curl
CLUSTER_TEST_NEEDS := /usr/sbin/nutcracker:nutcracker
CHECK_NEEDS = $(STARTER_NEEDS) $(if $(call from_chapter,9),$(CLIENT_NEEDS),) \
  $(if $(call from_chapter,11),$(METRICS_NEEDS),) $(if $(call from_chapter,12),$(CLUSTER_TEST_NEEDS),)
# Non-empty when N is chapter $(1) or a later one.
from_chapter = $(shell [ "$(call two_digits,$(N))" -ge $(1) ] 2>/dev/null && echo y)
BENCH_NEEDS := /usr/include/leveldb/db.h:libleveldb-dev /usr/include/rocksdb/db.h:librocksdb-dev \
  redis-server:redis-server redis-benchmark:redis-tools gnuplot:gnuplot-nox
# How many test sources `make test` compiles as one (CMakeLists.txt, VKV_TEST_UNITY); empty:
# each alone (TEST_UNITY= ), which an edit to one test file recompiles faster.
TEST_UNITY ?= 8
# The pipeline depths of chapter 9's sweep against Redis, drawn as a chart by `make bench`.
PIPELINES ?= 1 2 4 8 16 32 64

.PHONY: run cluster test chapter exercise docs bench fuzz deps bench-deps configure clean help start \
  check starter-check

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

# install_missing NEEDS: apt-get installs the packages whose tool or header is missing.
define install_missing
	@missing=""; for need in $(1); do what=$${need%%:*}; pkg=$${need##*:}; \
	  if [[ $$what == /* ]]; then [ -e "$$what" ] || missing="$$missing $$pkg"; \
	  else command -v "$$what" >/dev/null 2>&1 || missing="$$missing $$pkg"; fi; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install_missing,$(TEST_NEEDS))

# What `make cluster` needs: the server's, and twemproxy and redis-cli (its readiness check).
CLUSTER_NEEDS := $(RUN_NEEDS) /usr/sbin/nutcracker:nutcracker redis-cli:redis-tools

cluster:
	$(call install_missing,$(CLUSTER_NEEDS))
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j$(JOBS) --target vkv ch12-cluster >/dev/null
	./build/bin/vkv-cluster run $(ARGS)

bench-deps: deps
	$(call install_missing,$(BENCH_NEEDS))

configure:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null

run:
	$(call install_missing,$(RUN_NEEDS))
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j$(JOBS) --target $(RUN_PROGRAM) >/dev/null
	./build/bin/$(RUN_PROGRAM) $(ARGS)

chapter:
	@test -n "$(N)" || { echo "usage: make chapter N=3"; exit 2; }
	$(eval DIR := $(notdir $(wildcard chapters/$(call two_digits,$(N))-*)))
	@test -n "$(DIR)" || { echo "no chapter $(N); chapters: $(CHAPTERS)"; exit 2; }
	$(call install_missing,$(RUN_NEEDS))
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j$(JOBS) --target ch$(DIR) >/dev/null
	./build/bin/ch$(DIR) $(ARGS)

# The tests that check a chapter's exercises are tagged [.exercise] (tests/exercises_test.cpp):
# hidden, so `make test` never runs them. They fail until the learner does the exercise, so
# tools/exercises.py reports each as done or not yet and does not fail the build.
exercise:
	@test -n "$(N)" || { echo "usage: make exercise N=3"; exit 2; }
	@test -n "$(wildcard chapters/$(call two_digits,$(N))-*)" || \
	  { echo "no chapter $(N); chapters: $(CHAPTERS)"; exit 2; }
	$(call install_missing,$(CHECK_NEEDS))
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVKV_TESTS=ON >/dev/null
	@cmake --build build -j$(JOBS) --target ch$(call two_digits,$(N))-tests >/dev/null
	@tools/exercises.py build/tests/ch$(call two_digits,$(N))-tests

test: deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=$(if $(SANITIZE),RelWithDebInfo,Release) \
	  -DVKV_TESTS=ON -DVKV_BENCH=$(if $(SANITIZE),OFF,ON) -DVKV_WERROR=ON \
	  -DVKV_SANITIZE=$(SANITIZE) -DVKV_TEST_UNITY=$(TEST_UNITY) >/dev/null
	cmake --build $(TEST_BUILD) -j$(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600 $(if $(CH_LABEL),-L '^$(CH_LABEL)$$',)
ifeq ($(CH)$(SANITIZE),)
	$(MAKE) --no-print-directory docs
	$(MAKE) --no-print-directory starter-check
	@if command -v clang++ >/dev/null; then $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=15; \
	else echo "clang++ not found: fuzz smoke test skipped (apt-get install clang)"; fi
endif

# The pages go through docs/filters/page_filter.py (Doxyfile FILTER_PATTERNS); after Doxygen,
# the diagrams are fitted to the text column and the site is checked (docs/check_docs.py).
docs: deps configure
	@rm -rf build/docs && mkdir -p build/docs
	doxygen docs/Doxyfile
	docs/fit_diagrams.py build/docs/html
	docs/check_docs.py build/docs/html
	@echo "docs: build/docs/html/index.html"

bench: bench-deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVKV_BENCH=ON >/dev/null
	cmake --build build -j$(JOBS)
	@for b in build/bench/*; do [ -f "$$b" ] && [ -x "$$b" ] || continue; \
	  echo; echo "=== $$(basename $$b) ==="; PIPELINES="$(PIPELINES)" "$$b" $(BENCH_ARGS) || exit 1; done
	@echo; echo "charts: build/bench/plots (docs/figures holds the ones the pages show)"

# Builds with clang, coverage and ASan/UBSan, and runs each fuzzer for FUZZ_SECONDS.
fuzz:
	CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVKV_FUZZ=ON \
	  -DVKV_TESTS=OFF -DVKV_BENCH=OFF >/dev/null
	cmake --build build-fuzz -j$(JOBS) --target $$(cd build-fuzz && cmake --build . --target help | sed -n 's/^\.\.\. \(.*-fuzzer\).*/\1/p')
	@set -o pipefail; for f in build-fuzz/bin/*-fuzzer; do echo "fuzzing $$f for $(FUZZ_SECONDS)s"; \
	  mkdir -p build-fuzz/corpus/$$(basename $$f); \
	  "$$f" -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -rss_limit_mb=1024 -timeout=10 \
	    -print_final_stats=1 build-fuzz/corpus/$$(basename $$f) 2>&1 | tail -4 || exit 1; done

# The learner's workspace (tools/starter.py): a copy of the repository in which the function
# bodies chapter N teaches, marked `// LEARNER: begin ...` / `// LEARNER: end` in the sources,
# are stubs that compile and fail. `make start` never overwrites a workspace unless FORCE=1.
WORKSPACE = workspace/ch$(call two_digits,$(N))

start:
	@test -n "$(N)" || { echo "usage: make start N=2 [FORCE=1]"; exit 2; }
	$(call install_missing,/usr/bin/python3:python3)
	@tools/starter.py start $(N) $(WORKSPACE) $(if $(FORCE),--force,)

check:
	@test -n "$(N)" || { echo "usage: make check N=2"; exit 2; }
	$(call install_missing,$(CHECK_NEEDS))
	@test -d $(WORKSPACE) || { echo "no $(WORKSPACE): run make start N=$(N) first"; exit 2; }
	@JOBS=$(JOBS) tools/starter.py build-and-test $(N) $(WORKSPACE)

starter-check:
	$(call install_missing,$(STARTER_NEEDS))
	@JOBS=$(JOBS) tools/starter.py check $(N)

clean:
	rm -rf build build-* 
