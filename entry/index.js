"use strict";
// `serverless-fullstack`: the components (components/index.ts). See load.js for why the sources run directly.
module.exports = require("./load").load("components/index");
