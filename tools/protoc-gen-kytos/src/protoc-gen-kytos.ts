#!/usr/bin/env node
// Executable entry point: buf pipes a CodeGeneratorRequest on stdin, the plugin answers on stdout.
import { runNodeJs } from "@bufbuild/protoplugin";
import { protocGenKytos } from "./plugin.js";

runNodeJs(protocGenKytos);
