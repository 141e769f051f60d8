export * from "../local/index";
