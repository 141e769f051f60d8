/**
 * The two names the project's dependencies import from aws-sdk v2's root: cognito-local's `Lambda` (the local
 * Cognito emulator's trigger client) and @aws-crypto/kms-keyring-node's `KMS`. The root re-exports every one of
 * v2's ≈400 clients, ≈51 MB of declarations that made up over half of what the type check and TypeDoc parse;
 * tsconfig.json's `paths` sends `aws-sdk` here, so only these two clients' declarations are read. Types only:
 * at run time node resolves `aws-sdk` as always. A dependency that imports another name from the root fails the
 * type check with "has no exported member": add the client here the same way.
 */
export import KMS = require("aws-sdk/clients/kms");
export import Lambda = require("aws-sdk/clients/lambda");
