// README's quick start: `npx flux exec hello.mjs hello_world World`.
import { task, workflow } from "flux-ts";

export const sayHello = task("say_hello", async (name) => `Hello, ${name}`);

export const helloWorld = workflow("hello_world", async (ctx) => ctx.run(sayHello, ctx.input));
