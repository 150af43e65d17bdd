/**
 * Root hooks for the end-to-end suite: one real control plane (etcd, kube-apiserver with the
 * ServiceAccount admission plugin, kube-controller-manager) for the whole run, stopped afterwards
 * even when tests fail. Set E2E_KUBECONFIG to run against a cluster you started yourself.
 */
import { ControlPlane, startControlPlane } from "../../dev/cluster/controlPlane";

let controlPlane: ControlPlane | undefined;

export const mochaHooks = {
    async beforeAll(this: Mocha.Context) {
        this.timeout(180_000);
        if (process.env.E2E_KUBECONFIG) {
            process.env.KUBECONFIG = process.env.E2E_KUBECONFIG;
            return;
        }
        controlPlane = await startControlPlane();
        process.env.KUBECONFIG = controlPlane.kubeconfigPath;
    },
    async afterAll(this: Mocha.Context) {
        this.timeout(60_000);
        await controlPlane?.stop();
    },
};
