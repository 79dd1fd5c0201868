// Prettier formats the addons' XML and JavaScript (a hook of .pre-commit-config.yaml, run by
// `make lint`; `make format` rewrites the files). The tools live in the project's cache folder,
// found through NODE_PATH (scripts/devenv.sh sets it).
module.exports = {
    printWidth: 120,
    tabWidth: 4,
    plugins: [require.resolve("@prettier/plugin-xml")],
    overrides: [
        {
            files: "*.xml",
            options: { xmlWhitespaceSensitivity: "ignore", bracketSameLine: true },
        },
    ],
};
