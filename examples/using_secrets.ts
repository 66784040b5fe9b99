import { task, workflow } from "flux-ts";

/** Reads a secret from the engine's SecretProvider (environment variables under the CLI). */
export const useSecret = task.withContext({ name: "use_secret", secrets: ["SUPER_SECRET"] }, async (tc) => {
  const secret = tc.secrets.SUPER_SECRET!;
  return `the secret has ${secret.length} characters`;
});

/** `SUPER_SECRET=s3cr3t flux exec examples/using_secrets.ts using_secrets` */
export const usingSecrets = workflow("using_secrets", async (ctx) => ctx.run(useSecret));
