import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class BuildReportDto {
  /** Pages to build, one progress report each. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  pages!: number;

  /** How long one page takes, in ms (default 500). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  msPerPage?: number;
}
