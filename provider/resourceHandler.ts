/**
 * What the provider does for one resource type. Property maps are plain JavaScript as the engine
 * sends them: secrets wrapped (see propertyValues.ts), unknown values as a sentinel during preview.
 */

/** A problem with one input, shown by the engine next to the property. */
export interface CheckFailure {
    property: string;
    reason: string;
}

/** The result of comparing a resource's state with its new inputs. */
export interface DiffOutcome {
    /** Whether anything must change. */
    changes: boolean;
    /** Properties whose change needs a new resource (created before the old one is deleted). */
    replaces: string[];
    /** Properties that differ, for the engine's display. */
    diffs: string[];
    /**
     * Of `diffs`, those whose old value is what refresh observed in the cluster (kept in the outputs),
     * not the input: the display then shows that value, not the unchanged input, on the left.
     */
    observed?: string[];
}

/**
 * The resource was written but not finished (a Create or Update that failed half-way): the engine
 * records it with these outputs, so nothing the stack wrote is outside its state, and the next
 * update finishes it (pulumirpc.ErrorResourceInitFailed).
 */
export class ResourceInitError extends Error {
    constructor(
        message: string,
        readonly id: string,
        readonly outputs: Record<string, unknown>,
    ) {
        super(message);
    }
}

/** Which resource a call is about. */
export interface ResourceCall {
    /** The resource's URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
    urn: string;
}

/** The CRUD operations of one resource type. */
export interface ResourceHandler {
    check(
        olds: Record<string, unknown>,
        news: Record<string, unknown>,
        call?: ResourceCall,
    ): Promise<{ inputs: Record<string, unknown>; failures: CheckFailure[] }>;
    /** `olds` are the state's outputs, `oldInputs` its inputs (outputs keep only what inputs do not say). */
    diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>, oldInputs?: Record<string, unknown>): Promise<DiffOutcome>;
    /** May throw a ResourceInitError when it wrote something but did not finish. */
    create(inputs: Record<string, unknown>, call?: ResourceCall): Promise<{ id: string; outs: Record<string, unknown> }>;
    /**
     * Returns no id when the resource no longer exists. With no props and no inputs (import), it
     * returns the inputs too.
     */
    read(
        id: string,
        props: Record<string, unknown>,
        inputs?: Record<string, unknown>,
        call?: ResourceCall,
    ): Promise<{ id?: string; props: Record<string, unknown>; inputs?: Record<string, unknown> }>;
    update(
        id: string,
        olds: Record<string, unknown>,
        news: Record<string, unknown>,
        oldInputs?: Record<string, unknown>,
        call?: ResourceCall,
    ): Promise<{ outs: Record<string, unknown> }>;
    /** `oldInputs`: the state's inputs, when the engine sends them. */
    delete(id: string, props: Record<string, unknown>, call?: ResourceCall, oldInputs?: Record<string, unknown>): Promise<void>;
}
