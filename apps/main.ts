import { x } from '#config';
console.log(x);
