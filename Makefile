# sipreg — the two commands a newcomer needs:
#   make demo   install what is missing, build, run sipregd in the foreground on demo/sip.conf
#   make test   install what is missing, build, run every test (unit, integration,
#               ASan+UBSan unit tests, TSan on the threaded parts, bounded fuzzing)
# Other targets: deps, build, unit, integration, asan, tsan, fuzz, bench, demo-probe, demo-device,
# format, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 25
CMAKE_FLAGS ?=

.PHONY: demo demo-probe demo-device test deps build unit integration asan tsan fuzz bench format clean

demo: build
	bash scripts/demo.sh $(BUILD)

demo-probe: build
	bash scripts/demo-probe-kamailio.sh $(BUILD)

demo-device: build
	bash scripts/demo-device.sh $(BUILD)

test: deps
	bash scripts/test-all.sh

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

unit: build
	ctest --test-dir $(BUILD) -L unit --output-on-failure -j $(JOBS)

integration: build
	ctest --test-dir $(BUILD) -L integration --output-on-failure

asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DSIPREG_SANITIZE=ON -DSIPREG_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) -L unit --output-on-failure -j $(JOBS)

tsan: deps
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DSIPREG_SANITIZE_THREAD=ON -DSIPREG_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	TSAN_OPTIONS="halt_on_error=1" ctest --test-dir $(TSAN_BUILD) -L unit --output-on-failure -j $(JOBS)

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DSIPREG_BUILD_FUZZ=ON \
	  -DSIPREG_BUILD_TESTS=OFF -DSIPREG_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target parser_fuzz framer_fuzz device_config_fuzz
	bash scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	$(BUILD)/bench/parse_bench

format:
	find src apps tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
