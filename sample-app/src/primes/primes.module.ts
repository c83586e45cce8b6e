import { Module } from '@nestjs/common';
import { PrimesController } from './primes.controller.js';
import { PrimesTasks } from './primes.tasks.js';

@Module({ providers: [PrimesTasks], controllers: [PrimesController] })
export class PrimesModule {}
