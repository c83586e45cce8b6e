import { IsInt, Max, Min } from 'class-validator';

export class CountPrimesDto {
  /** Count the primes below this number. */
  @IsInt()
  @Min(2)
  @Max(100_000_000)
  limit!: number;
}
