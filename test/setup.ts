// Decorator-based libraries (type-graphql, MikroORM) need the Reflect metadata API loaded first.
import 'reflect-metadata';
