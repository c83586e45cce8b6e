import { Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { z } from 'zod';
import { Task } from '../../lib/index.js';

export const invoiceSchema = z.object({
  customer: z.object({ email: z.email() }),
  amount: z.number().positive(),
  currency: z.string().default('EUR'),
});

export class ContactDto {
  @IsEmail()
  email!: string;
}

export class SignupDto {
  @IsString()
  name!: string;

  @ValidateNested()
  @Type(() => ContactDto)
  contact!: ContactDto;

  @IsInt()
  @Min(1)
  seats!: number;
}

/** Tasks with argument schemas: a zod one per argument, and a class-validator DTO. */
@Injectable()
export class SchemaTasks {
  @Task({ schema: [invoiceSchema, z.coerce.number().int()], retries: 3 })
  bill(invoice: z.input<typeof invoiceSchema>, copies: number | string): string {
    // The method receives the parsed values: the default currency, the number coerced.
    const parsed = invoice as z.output<typeof invoiceSchema>;
    return `${parsed.customer.email} ${parsed.amount} ${parsed.currency} ×${typeof copies} ${copies}`;
  }

  @Task({ schema: SignupDto, retries: 3 })
  signup(input: SignupDto): string {
    return `${input instanceof SignupDto ? 'SignupDto' : 'plain'} ${input.name} ${input.contact.email}`;
  }
}
