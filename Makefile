# Two commands on a fresh Debian 12 machine: `make build` and `make test`.
# Both install what is missing: system packages (as root, or through sudo) and a .venv.

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_PACKAGES := gettext poppler-utils fonts-noto-core fonts-noto-cjk fontconfig python3-venv
TEST_PACKAGES := $(BUILD_PACKAGES) chromium zbar-tools default-jre-headless

.PHONY: build test system-build system-test venv clean

build: system-build venv
	$(BIN)/awareness build

test: system-test venv
	$(BIN)/lint-imports
	$(BIN)/awareness update --check
	$(BIN)/awareness check --quiet
	$(BIN)/python -m pytest

system-build:
	@$(MAKE) --no-print-directory apt PACKAGES="$(BUILD_PACKAGES)"

system-test:
	@$(MAKE) --no-print-directory apt PACKAGES="$(TEST_PACKAGES)"

.PHONY: apt
apt:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf output
