#!/usr/bin/env node
import "../dist/collector/src/cli.js";
