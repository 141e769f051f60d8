"use strict";
// `serverless-fullstack/local`: run a Pulumi program on the embedded emulators (local/index.ts).
module.exports = require("./load").load("local/index");
