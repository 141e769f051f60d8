export * from "../components/index";
