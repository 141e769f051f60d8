export * from "../testing/index";
