import * as pulumi from "@pulumi/pulumi";
import { GcrPullSecrets } from "@gcr-pull-secrets/pulumi";

const config = new pulumi.Config();

// pulumi config set --secret jsonKey "$(cat key.json)"
// pulumi config set --path 'registries[0]' europe-west1-docker.pkg.dev
// pulumi config set --path 'namespaces[0]' team-a
const pullAccess = new GcrPullSecrets("pull-access", {
    jsonKey: config.requireSecret("jsonKey"),
    registries: config.requireObject<string[]>("registries"),
    namespaces: config.requireObject<string[]>("namespaces"),
});

export const secretNames = pullAccess.secretNames;
export const keyId = pullAccess.keyId;
