// A small GraphQL server for Tapline's tests and demos: `node server.mjs SCHEMA.graphql PORT`
// (port 0 picks a free one). Prints "ready <url>" once it listens. Batched requests are allowed.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readFileSync } from 'node:fs';

const [schemaFile, port = '0'] = process.argv.slice(2);
if (!schemaFile) {
  console.error('usage: node server.mjs SCHEMA.graphql [PORT]');
  process.exit(2);
}

const users = new Map();
let next = 1;
const create = (name, email, phone) => {
  const u = { id: String(next++), name, email: email ?? `${name}@example.com`, phone: phone ?? null,
    age: 30 + next, nickname: null, login: name };
  users.set(u.id, u);
  return u;
};
create('ann');
create('bob');

const resolvers = {
  Query: {
    user: (_, { id }) => {
      if (id === 'boom') throw new Error('user store unavailable');
      return users.get(id) ?? null;
    },
    users: (_, args) => {
      const all = [...users.values()];
      const n = args.first ?? args.limit;
      return n == null ? all : all.slice(0, n);
    },
  },
  Mutation: {
    createUser: (_, { name, email, phone }) => create(name, email, phone),
  },
};

const server = new ApolloServer({
  typeDefs: readFileSync(schemaFile, 'utf8'),
  resolvers,
  allowBatchedHttpRequests: true,
});
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
console.log('ready ' + url);
