/*
 * The guardrails as pure functions over what the Pulumi engine shows a policy: a resource's type,
 * URN, input properties and options. `index.ts` only wires them into a PolicyPack, so every rule
 * is unit-tested here without the engine (test/unit/policy/rules.test.ts). Each rule has its own
 * file in guardrails/ (facts.ts: what they all read); this module gathers them.
 *
 * Facts about @pulumi/policy 1.21 that shape these rules:
 * - Secret values reach a policy already unwrapped (`deserializeProperties(props, false)` in its
 *   server.js), and ResourceValidationArgs has no `isSecret`. What a policy can see is the
 *   resource option `additionalSecretOutputs`, which makes the engine store those outputs
 *   encrypted; @pulumi/kubernetes' Secret sets it to ["data", "stringData"].
 * - During `pulumi preview` an unknown value (the key of a service account not yet created)
 *   throws UnknownValueError when read, and the engine reports "can't run policy during preview"
 *   as advisory for that resource; `pulumi up` then checks the real value. Rules read only values
 *   known at preview (types, labels, namespaces, roles, keepers) and let an unexpected unknown
 *   propagate to get exactly that behaviour; only cosmetic reads (names in messages) and the
 *   label fallback swallow it.
 * - A policy is told the stack through the URN (`urn:pulumi:<stack>::<project>::...`); this works
 *   with every backend and CLI version, unlike stack tags or the stack config environment.
 */
export * from "./guardrails/facts";
export * from "./guardrails/iamRule";
export * from "./guardrails/prodKeyRules";
export * from "./guardrails/pullSecretRule";
export * from "./guardrails/systemNamespaceRule";
