/**
 * The pull Secret section: `username` (how the key is presented to the registry) and `secretName`.
 */
import { usernameModes, UsernameMode } from "../dockerConfig";
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { Checker, quote } from "./checker";
import { CredentialPlan } from "../plan";
import { isSubdomain, subdomainRule } from "./planNamespaces";

/** The Secret's name and username mode. */
export interface SecretPlan {
    /** Default: `_json_key`. */
    username: UsernameMode;
    /** Default: `regcred`. */
    secretName: string;
}

/** Checks the Secret's settings; keyless Secrets carry a token, so their username cannot be chosen. */
export function planSecret(args: GcrPullSecretsArgs, checker: Checker, sourceKind: CredentialPlan["kind"] | undefined): SecretPlan {
    const usernameField = checker.setting("username", args.username);
    const modes = usernameModes.map((mode) => `"${mode}"`).join(" or ");
    const usernameText = checker.text(usernameField, {
        what: "the username mode",
        example: "_json_key",
        emptyFix: `use ${modes}, or ${checker.howToRemove(usernameField)} for the default "_json_key"`,
    });
    let username: UsernameMode = "_json_key";
    if (usernameText !== undefined) {
        if ((usernameModes as readonly string[]).includes(usernameText)) {
            username = usernameText as UsernameMode;
        } else {
            checker.fail(usernameField, `is ${quote(usernameField)}; use "_json_key" (the default: the key JSON is the password) or "_json_key_base64"`);
        }
    }

    const secretNameField = checker.setting("secretName", args.secretName);
    const secretNameText = checker.text(secretNameField, {
        what: "the Secret name",
        example: "regcred",
        emptyFix: `set a Secret name (${subdomainRule}), or ${checker.howToRemove(secretNameField)} for the default "regcred"`,
    });
    let secretName = "regcred";
    if (secretNameText !== undefined) {
        if (isSubdomain(secretNameText)) {
            secretName = secretNameText;
        } else {
            checker.fail(secretNameField, `is ${quote(secretNameField)}, not a valid Secret name (${subdomainRule}); choose a name such as regcred`);
        }
    }

    if (sourceKind === "keyless" && username !== "_json_key") {
        checker.fail(
            usernameField,
            `is ${quote(usernameField)}, but keyless Secrets carry an access token, whose username is always oauth2accesstoken; ${checker.howToRemove(usernameField)}`,
        );
    }
    return { username, secretName };
}
