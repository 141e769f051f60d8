"use strict";
// `serverless-fullstack/testing`: mocks harness, graph queries, security and deploy rules (testing/index.ts).
module.exports = require("./load").load("testing/index");
