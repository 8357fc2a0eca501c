// Loaded by mocha before any test file (see .mocharc.json).
// The machine runs Node 20 (Lambda runs 22); the SDK's reminder about that is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
