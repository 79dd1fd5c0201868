// ESLint checks the addons' JavaScript (a hook of .pre-commit-config.yaml, run by `make lint`).
// The tools live in the project's cache folder, found through NODE_PATH (scripts/devenv.sh sets it).
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
    js.configs.recommended,
    {
        files: ["**/static/src/**/*.js", "**/static/tests/**/*.js"],
        languageOptions: {
            ecmaVersion: 2024,
            sourceType: "module",
            globals: { ...globals.browser, odoo: "readonly" },
        },
        rules: {
            "no-unused-vars": ["error", { args: "none" }],
            "prefer-const": "error",
            "no-var": "error",
            eqeqeq: ["error", "smart"],
        },
    },
];
