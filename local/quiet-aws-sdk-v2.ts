/** cognito-local still loads AWS SDK v2, which prints a maintenance notice on load; `npm start` output is not the place for it. */
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";
