# The Falco condition language (libsinsp filter syntax) as a nearley grammar over the moo lexer in
# lexer.ts. Precedence: not > and > or, both binary operators left-associative. The grammar is
# written so that every valid condition has exactly one parse; parseCondition checks that.

@preprocessor typescript

@{%
import { lexer } from './lexer.js';
import * as b from './build.js';
%}

@lexer lexer

main -> or {% id %}

or -> or %or and {% b.binary('or') %}
    | and {% id %}

and -> and %and not {% b.binary('and') %}
     | not {% id %}

not -> %not not {% b.not %}
     | atom {% id %}

atom -> %lparen or %rparen {% b.group %}
      | %ident {% b.macro %}
      | field %cmpop value {% b.compare %}
      | field %wordop value {% b.compare %}
      | field %listop listvalue {% b.compare %}
      | field %exists {% b.unary %}

field -> %field {% b.field %}
       | %field %lbracket %argtext:? %rbracket {% b.fieldWithArg %}
       | %transformer %lparen field %rparen {% b.transformed %}

value -> %string {% b.literal %}
       | %vident {% b.literal %}
       | %bare {% b.literal %}
       | %val %lparen field %rparen {% b.fieldval %}

listvalue -> list {% id %}
           | %vident {% b.listref %}

list -> %listopen %listclose {% b.list %}
      | %listopen items %listclose {% b.list %}

items -> item {% b.firstItem %}
       | items %comma item {% b.moreItems %}

item -> %string {% b.literal %}
      | %item {% b.literal %}
