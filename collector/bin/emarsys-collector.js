#!/usr/bin/env node
import { runCli } from "../dist/collector/src/cli.js";

runCli();
